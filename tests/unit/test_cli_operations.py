"""The operator's command line (issue #19, items 2, 4, 8, 9): id tokens, stations, firmware,
integrations check, serve's help and banner, one-line start-up errors, the demo hint."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chargebridge.cli import app, banner
from chargebridge.config import Settings
from chargebridge.sim.firmware import make_image
from tests.conftest import service_available

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_id_token_lifecycle(tmp_path: Path) -> None:
    data = ("--data-dir", str(tmp_path))
    code, out = run("id-token", "add", "RFID-1", *data)
    assert code == 0 and "added id token RFID-1 (Accepted)" in out, out
    assert run("id-token", "add", "RFID-1", *data)[0] == 1  # already there
    assert run("id-token", "add", "RFID-2", "--type", "ISO14443", "--expires-in-days", "30", *data)[0] == 0
    code, out = run("id-token", "list", *data)
    assert code == 0 and "RFID-1" in out and "RFID-2" in out and "ISO14443" in out and "2 id tokens" in out
    assert run("id-token", "block", "RFID-1", *data) == (0, "id token RFID-1 is Blocked\n")
    db = sqlite3.connect(tmp_path / "chargebridge.db")
    assert db.execute("SELECT status FROM id_tokens WHERE id_token = 'RFID-1'").fetchone() == ("Blocked",)
    assert run("id-token", "block", "RFID-1", "--unblock", *data)[0] == 0
    assert db.execute("SELECT status FROM id_tokens WHERE id_token = 'RFID-1'").fetchone() == ("Accepted",)
    assert run("id-token", "remove", "RFID-1", *data) == (0, "removed id token RFID-1\n")
    assert run("id-token", "remove", "RFID-1", *data)[0] == 1
    assert run("id-token", "block", "NOPE", *data)[0] == 1
    assert db.execute("SELECT id_token FROM id_tokens").fetchall() == [("RFID-2",)]


def test_station_list_show_remove(tmp_path: Path) -> None:
    data = ("--data-dir", str(tmp_path))
    for station in ("CP-1", "CP-2"):
        assert run("station", "add", station, *data)[0] == 0
    code, out = run("station", "list", *data)
    assert code == 0 and "CP-1" in out and "CP-2" in out and "2 of 2 stations" in out
    code, out = run("station", "list", "--search", "2", *data)
    assert "CP-2" in out and "CP-1" not in out
    code, out = run("station", "show", "CP-1", *data)
    assert code == 0 and "CP-1" in out and "security profile  0 (no authentication)" in out and "in time" in out
    assert run("station", "show", "CP-9", *data)[0] == 1
    assert run("station", "remove", "CP-1", "--yes", *data) == (0, "removed station CP-1\n")
    assert run("station", "remove", "CP-1", "--yes", *data)[0] == 1
    assert "1 of 1 stations" in run("station", "list", *data)[1]


def test_firmware_upload_twice_needs_replace_and_list_shows_the_images(tmp_path: Path) -> None:
    data = ("--data-dir", str(tmp_path))
    image = tmp_path / "fw.bin"
    image.write_bytes(make_image("2.0.0"))
    upload = ("firmware", "upload", str(image), "--vendor", "Acme", "--model", "A1", "--version", "2.0.0", *data)
    code, out = run(*upload)
    assert code == 0, out
    code, out = run(*upload)
    assert code == 1 and "already Acme 2.0.0" in out and "--replace" in out, out
    # Another model, or another hardware revision than an image for specific ones, is no duplicate.
    other = ("firmware", "upload", str(image), "--vendor", "Acme", "--model", "B1", "--version", "2.0.0", *data)
    assert run(*other)[0] == 0
    code, out = run(*upload, "--replace")
    assert code == 0, out
    code, out = run("firmware", "list", *data)
    assert code == 0 and "3 images" in out and out.count("2.0.0") == 3


def test_campaign_commands_need_a_token_and_a_server(tmp_path: Path) -> None:
    code, out = run("firmware", "campaign", "list", "--token", "")
    assert code == 1 and "give an API token" in out
    code, out = run("firmware", "campaign", "list", "--token", "x", "--api-url", "http://127.0.0.1:9")
    assert code == 1 and "cannot reach the server at http://127.0.0.1:9" in out


def test_integrations_check(tmp_path: Path) -> None:
    config = tmp_path / "integrations.toml"
    config.write_text("[metrics]\nenabled = true\n[mqtt]\nenabled = true\nport = 9\n")
    code, out = run("integrations", "check", "--config", str(config), "--data-dir", str(tmp_path), "--timeout", "2")
    assert code == 1, out
    assert "valid" in out and "metrics" in out and "mqtt 127.0.0.1:9" in out and "FAILED" in out
    assert re.search(r"\b1 of \d checks failed", out), out
    config.write_text("[mqtt]\nenabled = true\nprot = 1883\n")
    code, out = run("integrations", "check", "--config", str(config))
    assert code == 1 and "mqtt.prot: unknown key" in out and ": valid" not in out
    assert run("integrations", "check")[0] == 1  # no file named
    if service_available("127.0.0.1", 1883):
        config.write_text("[mqtt]\nenabled = true\n")
        code, out = run("integrations", "check", "--config", str(config), "--data-dir", str(tmp_path))
        assert code == 0 and "mqtt 127.0.0.1:1883  ok" in out and "checks passed" in out, out


def test_serve_help_shows_defaults_and_why_127_0_0_1() -> None:
    result = runner.invoke(app, ["serve", "--help"], env={"COLUMNS": "400"})
    code, text = result.exit_code, " ".join(result.output.split())
    assert code == 0
    assert "(default: 9000; env CHARGEBRIDGE_OCPP_PORT)" in text
    assert "(default: 8000; env CHARGEBRIDGE_HTTP_PORT)" in text
    assert "(default: 127.0.0.1; env CHARGEBRIDGE_HOST)" in text
    assert "a charger on the network cannot connect" in text
    assert "port ." not in text


def test_banner_names_the_dashboard_and_explains_the_listen_address() -> None:
    local = banner(Settings(), 9000, 8000, None)
    assert "dashboard     http://127.0.0.1:8000/" in local
    assert any("chargers on the network cannot connect" in line and "--host 0.0.0.0" in line for line in local)
    everywhere = banner(Settings(host="0.0.0.0"), 9000, 8000, 9443)
    assert not any("cannot connect" in line for line in everywhere)
    assert "OCPP over TLS wss://THIS-MACHINE:9443/ocpp/{station_id}" in everywhere


def _one_line(out: str) -> str:
    lines = [line for line in out.splitlines() if line.strip()]
    assert "Traceback" not in out and len(lines) == 1, out
    return lines[0]


@pytest.mark.parametrize("which", ["ocpp", "http"])
def test_a_busy_port_is_one_line_naming_the_port_and_its_flag(tmp_path: Path, which: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        ports = {"ocpp": "0", "http": "0", which: str(port)}
        code, out = run(
            "serve", "--data-dir", str(tmp_path), "--ocpp-port", ports["ocpp"], "--http-port", ports["http"]
        )
    line = _one_line(out)
    assert code == 1
    assert f"port {port} on 127.0.0.1 is already in use" in line
    assert f"--{which}-port / CHARGEBRIDGE_{which.upper()}_PORT" in line


def test_bad_database_urls_and_missing_files_are_one_line(tmp_path: Path) -> None:
    data = ("--data-dir", str(tmp_path), "--ocpp-port", "0", "--http-port", "0")
    code, out = run("serve", *data, "--database-url", "nosuchdb://x/y")
    assert code == 1 and "bad database URL nosuchdb://x/y" in _one_line(out)
    code, out = run("serve", *data, "--database-url", "postgresql+asyncpg://me:secret@127.0.0.1:9/db")
    line = _one_line(out)
    assert code == 1 and "cannot connect to the database" in line and "secret" not in line
    assert "--database-url / CHARGEBRIDGE_DATABASE_URL" in line
    code, out = run(
        "serve", *data, "--ocpp-tls-port", "0", "--tls-cert-file", "/no/cert.pem", "--tls-key-file", "/no/key.pem"
    )
    text = " ".join(out.split())
    assert (
        code == 1 and "tls cert file /no/cert.pem does not exist (--tls-cert-file / CHARGEBRIDGE_TLS_CERT_FILE)" in text
    )
    assert "Traceback" not in out
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    code, out = run("serve", "--data-dir", str(not_a_dir), "--ocpp-port", "0", "--http-port", "0")
    assert code == 1 and "is not a directory (--data-dir / CHARGEBRIDGE_DATA_DIR)" in _one_line(out)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_an_unwritable_data_dir_is_one_line(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, out = run("serve", "--data-dir", str(locked / "data"), "--ocpp-port", "0", "--http-port", "0")
    assert code == 1 and "permission denied (--data-dir / CHARGEBRIDGE_DATA_DIR)" in _one_line(out)


def test_cli_warns_when_a_running_demo_uses_another_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    demo = tmp_path / "chargebridge-demo"
    demo.mkdir()
    marker = {"pid": os.getpid(), "data_dir": str(demo), "data_dir_arg": "chargebridge-demo"}
    (demo / "demo.json").write_text(json.dumps(marker))
    result = CliRunner().invoke(app, ["token", "create", "--role", "viewer"])
    assert result.exit_code == 0
    assert "a demo is running" in result.output and "--data-dir chargebridge-demo" in result.output
    quiet = CliRunner().invoke(app, ["token", "create", "--role", "viewer", "--data-dir", "chargebridge-demo"])
    assert quiet.exit_code == 0 and "a demo is running" not in quiet.output
    marker["pid"] = 2**22 + 12345  # no such process: the demo is gone
    (demo / "demo.json").write_text(json.dumps(marker))
    gone = CliRunner().invoke(app, ["token", "create", "--role", "viewer"])
    assert gone.exit_code == 0 and "a demo is running" not in gone.output
