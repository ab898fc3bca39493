#!/usr/bin/env python3
"""Bootstrap for a fresh machine with only Python 3.11+.

    python3 dev.py demo     # server + simulated fleet (prints the URLs and an admin token)
    python3 dev.py test     # the whole test suite
    python3 dev.py sdk      # regenerate the client SDK (src/chargebridge_client); --check: is it current?

Creates ./.venv on first use and installs chargebridge (editable) into it: the demo, serve and
sim need only its runtime dependencies; the tests also install the test extras. Re-installs only
when pyproject.toml changes. Extra arguments are passed through.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".chargebridge-installed"


def _installed() -> tuple[str, set[str]]:
    """(pyproject hash, extras) of the last install, or ("", set())."""
    if not STAMP.exists():
        return "", set()
    digest, _, extras = STAMP.read_text().strip().partition(" ")
    return digest, set(filter(None, extras.split(",")))


def _pip(args: list[str], what: str) -> None:
    """Run pip, showing one progress line per package instead of pip's full output."""
    command = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "--no-input", *args]
    tty = sys.stdout.isatty()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    assert process.stdout is not None
    tail: list[str] = []
    collected = 0
    for line in process.stdout:
        tail = [*tail[-40:], line]
        if line.startswith(("Collecting ", "Requirement already satisfied")):
            collected += 1
            name = line.split()[1] if line.startswith("Collecting ") else line.split()[3]
            status = f"  {what}: {collected} packages resolved ({name[:40]})"
            print(f"\r{status:<78}" if tty else status, end="" if tty else "\n", flush=True)
        elif line.startswith("Installing collected packages"):
            print(f"\r{'  ' + what + ': installing ' + str(collected) + ' packages ...':<78}", end="", flush=True)
    if tty:
        print()
    if process.wait() != 0:
        sys.stdout.write("".join(tail))
        sys.exit(f"pip failed while {what} (its last lines are above)")


def ensure_env(extras: set[str]) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on any python3 and must say why it stops
        sys.exit(f"chargebridge needs Python 3.11 or newer (this is {sys.version.split()[0]})")
    if not (BIN / "python").exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    digest, installed = _installed()
    if digest == wanted and extras <= installed:
        return
    if digest != wanted:
        installed = set()
    target = installed | extras
    label = f"chargebridge[{','.join(sorted(target))}]" if target else "chargebridge"
    print(f"installing {label} and its dependencies into .venv (first run: a minute or two) ...", flush=True)
    _pip(["install", "--upgrade", "pip"], "upgrading pip")
    spec = f"{ROOT}[{','.join(sorted(target))}]" if target else str(ROOT)
    _pip(["install", "-e", spec], f"installing {label}")
    STAMP.write_text(f"{wanted} {','.join(sorted(target))}")
    print("done.", flush=True)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("demo", "test", "serve", "sim", "sdk"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_env({"test"} if command in ("test", "sdk") else set())
    if command == "test":
        return subprocess.call([str(BIN / "python"), "-m", "pytest", *rest], cwd=ROOT)
    if command == "sdk":  # the generator is in the test extra
        return subprocess.call([str(BIN / "python"), str(ROOT / "scripts" / "gen_sdk.py"), *rest], cwd=ROOT)
    return subprocess.call([str(BIN / "chargebridge"), command, *rest], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
