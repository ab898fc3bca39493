"""Start-up failures an operator can fix, said in one line: which port, file or database, and
which flag or environment variable changes it (instead of a traceback).

``preflight(settings)`` checks what can be checked before anything is opened (files named by
settings exist and are readable, the data directory can be created and written);
``explain(exc, settings)`` turns an exception raised while starting into that line, or None
when it is not one of these (then the traceback is worth showing: it is a bug).
"""

from __future__ import annotations

import errno
import os
import re
import socket
from pathlib import Path

from chargebridge.config import Settings

# Settings whose flag is not simply --<name with dashes>.
_FLAGS = {
    "config_file": "--config",
    "heartbeat_interval_s": "--heartbeat-interval",
    "trusted_proxies": "--trusted-proxy",
}
# Settings that name files read at start-up (none of them is optional once given).
FILE_SETTINGS = (
    "tls_cert_file",
    "tls_key_file",
    "tls_rsa_cert_file",
    "tls_rsa_key_file",
    "tls_ca_file",
    "ca_key_file",
    "config_file",
    "v2g_sub_ca_file",
    "v2g_sub_ca_key_file",
)
_FLAGLESS = {"v2g_sub_ca_file", "v2g_sub_ca_key_file"}  # environment only


def how_to_change(name: str) -> str:
    """``--flag / CHARGEBRIDGE_NAME`` for a setting."""
    env = f"CHARGEBRIDGE_{name.upper()}"
    if name in _FLAGLESS:
        return env
    return f"{_FLAGS.get(name, '--' + name.replace('_', '-'))} / {env}"


def redacted_url(url: str) -> str:
    """A database URL without its password."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


def preflight(settings: Settings) -> list[str]:
    """Problems found before anything is opened, one line each."""
    problems = []
    for name in FILE_SETTINGS:
        path = getattr(settings, name)
        if path is None:
            continue
        path = Path(path)
        if not path.exists():
            problems.append(f"{name.replace('_', ' ')} {path} does not exist ({how_to_change(name)})")
        elif not path.is_file():
            problems.append(f"{name.replace('_', ' ')} {path} is not a file ({how_to_change(name)})")
        elif not os.access(path, os.R_OK):
            what = name.replace("_", " ")
            problems.append(f"{what} {path} cannot be read: permission denied ({how_to_change(name)})")
    problem = _data_dir_problem(settings.data_dir)
    if problem is not None:
        problems.append(problem)
    return problems


def _data_dir_problem(data_dir: Path) -> str | None:
    """The data directory (which holds the SQLite database, firmware images, keys and uploads)
    must be a directory this process can create, read and write."""
    where = how_to_change("data_dir")
    if data_dir.exists() and not data_dir.is_dir():
        return f"data directory {data_dir} is not a directory ({where})"
    existing = data_dir
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not os.access(existing, os.W_OK | os.X_OK) or (existing == data_dir and not os.access(data_dir, os.R_OK)):
        verb = "used" if existing == data_dir else "created"
        return f"data directory {data_dir} cannot be {verb}: permission denied ({where})"
    return None


def _listen_ports(settings: Settings) -> list[tuple[int, str]]:
    ports = [(settings.ocpp_port, "ocpp_port"), (settings.http_port, "http_port")]
    if settings.ocpp_tls_port is not None:
        ports.append((settings.ocpp_tls_port, "ocpp_tls_port"))
    return [(port, name) for port, name in ports if port]


def _port_free(host: str, port: int) -> bool:
    try:
        with socket.create_server((host, port)):
            return True
    except OSError:
        return False


def explain(exc: BaseException, settings: Settings) -> str | None:
    """One line for a start-up failure the operator can fix, else None. Call after what was
    started has been stopped (the ports are probed again to name the busy one)."""
    chain = [exc]
    while chain[-1].__cause__ is not None or chain[-1].__context__ is not None:
        nxt = chain[-1].__cause__ or chain[-1].__context__
        assert nxt is not None
        if nxt in chain or len(chain) > 10:
            break
        chain.append(nxt)
    for error in chain:
        line = _explain_one(error, settings)
        if line is not None:
            return line
    return None


def _explain_one(exc: BaseException, settings: Settings) -> str | None:
    text = str(exc)
    host = settings.host
    if isinstance(exc, OSError) and exc.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
        if exc.errno == errno.EADDRNOTAVAIL:
            return f"cannot listen on {host}: it is not an address of this machine ({how_to_change('host')})"
        named = re.search(r"\(\s*'[^']*',\s*(\d+)\s*\)", text)  # "... on address ('127.0.0.1', 9000)"
        candidates = _listen_ports(settings)
        if named is not None:
            candidates = [c for c in candidates if c[0] == int(named.group(1))] or candidates
        elif exc.errno == errno.EADDRINUSE:
            candidates = [c for c in candidates if not _port_free(host, c[0])] or candidates
        port, name = candidates[0] if candidates else (0, "ocpp_port")
        change = how_to_change(name)
        if exc.errno == errno.EACCES:
            return f"port {port} on {host} needs privileges this process does not have: use one above 1023 ({change})"
        return f"port {port} on {host} is already in use (another chargebridge or program?): choose another ({change})"
    if isinstance(exc, PermissionError | IsADirectoryError | NotADirectoryError) and not settings.database_url:
        return f"data directory {settings.data_dir}: {exc.strerror or exc} ({how_to_change('data_dir')})"
    if isinstance(exc, FileNotFoundError) and exc.filename:
        for name in FILE_SETTINGS:
            path = getattr(settings, name)
            if path is not None and Path(exc.filename) == Path(path):
                return f"{name.replace('_', ' ')} {path} does not exist ({how_to_change(name)})"
    kind = type(exc).__name__
    module = type(exc).__module__
    if settings.database_url:
        url = redacted_url(settings.database_url)
        where = how_to_change("database_url")
        if kind in ("ArgumentError", "NoSuchModuleError") and module.startswith("sqlalchemy"):
            return f"bad database URL {url}: {text.splitlines()[0]} (e.g. postgresql+asyncpg://user@host/db; {where})"
        if isinstance(exc, ConnectionRefusedError) or (isinstance(exc, OSError) and exc.errno == errno.ECONNREFUSED):
            return f"cannot connect to the database at {url}: connection refused (is it running? {where})"
        if isinstance(exc, socket.gaierror):
            return f"cannot connect to the database at {url}: unknown host ({where})"
        if module.startswith("asyncpg") and kind.endswith("Error"):
            return f"the database at {url} refused the connection: {text.splitlines()[0]} ({where})"
        if isinstance(exc, TimeoutError):
            return f"cannot connect to the database at {url}: no answer in time ({where})"
    elif kind == "OperationalError" and "unable to open database file" in text:
        where = how_to_change("data_dir")
        return f"cannot open the database in {settings.data_dir}: unable to open database file ({where})"
    if isinstance(exc, ValueError) and text.startswith(("--", "give both")):
        return text  # the settings' own one-line messages (security/settings.py)
    kind_ssl = module == "ssl" or kind.startswith("SSL")
    if kind_ssl and settings.tls_cert_file is not None:
        where = how_to_change("tls_cert_file")
        return f"cannot load the TLS certificate or key ({settings.tls_cert_file}): {text} ({where})"
    return None
