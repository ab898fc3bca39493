#!/usr/bin/env python3
"""Regenerate the client SDK (src/chargebridge_client) from the API's OpenAPI document.

    .venv/bin/python scripts/gen_sdk.py            # rewrite src/chargebridge_client
    .venv/bin/python scripts/gen_sdk.py --check    # exit 1 when the checked-in client is not current
    .venv/bin/python scripts/gen_sdk.py --out DIR  # generate into DIR/chargebridge_client instead

The document comes from the application itself (no server needed); openapi-python-client (the
``test`` extra) generates the package offline. Its post hooks (formatters) are off so the output
depends on the generator's version only.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "chargebridge_client"
TARGET = ROOT / "src" / PACKAGE
CONFIG = """\
project_name_override: chargebridge-client
package_name_override: chargebridge_client
post_hooks: []
"""


def generate(out_dir: Path) -> Path:
    """Generate the package into ``out_dir``/chargebridge_client; returns that directory."""
    sys.path.insert(0, str(ROOT / "src"))
    from chargebridge.api.openapi_doc import openapi_document

    document = openapi_document()
    with tempfile.TemporaryDirectory(prefix="chargebridge-sdk-") as tmp:
        work = Path(tmp)
        (work / "openapi.json").write_text(json.dumps(document, indent=1, sort_keys=True))
        (work / "config.yml").write_text(CONFIG)
        generator = Path(sys.executable).with_name("openapi-python-client")
        command = [str(generator) if generator.exists() else "openapi-python-client"]
        command += ["generate", "--path", "openapi.json", "--config", "config.yml", "--meta", "none"]
        command += ["--output-path", "generated", "--overwrite"]
        env = os.environ | {"PYTHONHASHSEED": "0"}
        result = subprocess.run(command, cwd=work, capture_output=True, text=True, env=env, check=False)
        if result.returncode != 0:
            sys.exit(f"openapi-python-client failed:\n{result.stdout}\n{result.stderr}")
        target = out_dir / PACKAGE
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(work / "generated", target)
        (target / "py.typed").write_text("")  # PEP 561: the package's types are for its users' type checkers
    return target


def differences(left: Path, right: Path) -> list[str]:
    """Files that differ between two trees (relative paths)."""
    out: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        out.extend(f"{prefix}{name} (only in one)" for name in cmp.left_only + cmp.right_only)
        for name in cmp.common_files:
            if (Path(cmp.left) / name).read_bytes() != (Path(cmp.right) / name).read_bytes():
                out.append(f"{prefix}{name}")
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right, ignore=["__pycache__"]), "")
    return sorted(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare with the checked-in client, change nothing")
    parser.add_argument("--out", type=Path, help="generate into this directory instead of src/")
    args = parser.parse_args()
    if args.check:
        with tempfile.TemporaryDirectory(prefix="chargebridge-sdk-check-") as tmp:
            fresh = generate(Path(tmp))
            diff = differences(fresh, TARGET) if TARGET.exists() else [f"{PACKAGE} is missing"]
        if diff:
            print("the client SDK is not current (run scripts/gen_sdk.py):", *diff, sep="\n  ")
            sys.exit(1)
        print("the client SDK is current")
        return
    target = generate(args.out or TARGET.parent)
    print(f"generated {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")


if __name__ == "__main__":
    main()
