"""The chargebridge command line (in-process, on a temporary SQLite data dir)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from chargebridge.cli import app
from chargebridge.security.secrets import hash_api_token

runner = CliRunner()


def test_station_and_token_lifecycle(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path)]
    assert runner.invoke(app, ["migrate", *data]).exit_code == 0
    added = runner.invoke(app, ["station", "add", "CP-7", "--password", "a-long-password-123", *data])
    assert added.exit_code == 0, added.output
    assert runner.invoke(app, ["station", "add", "CP-7", *data]).exit_code == 1  # already there
    assert runner.invoke(app, ["station", "add", "bad:id", *data]).exit_code != 0
    created = runner.invoke(app, ["token", "create", "--role", "viewer", "--name", "grafana", *data])
    assert created.exit_code == 0, created.output
    token = created.output.strip().splitlines()[-1].split()[-1]
    assert token.startswith("cb_")
    db = sqlite3.connect(tmp_path / "chargebridge.db")
    ((role, token_id),) = db.execute("SELECT role, id FROM api_tokens WHERE token_hash = ?", (hash_api_token(token),))
    assert role == "viewer"
    (password_hash,) = db.execute("SELECT password_hash FROM stations WHERE id = 'CP-7'").fetchone()
    assert password_hash and "a-long-password-123" not in password_hash
    assert token_id in runner.invoke(app, ["token", "list", *data]).output
    assert runner.invoke(app, ["token", "revoke", token_id, *data]).exit_code == 0
    assert runner.invoke(app, ["token", "revoke", token_id, *data]).exit_code == 1
    assert runner.invoke(app, ["token", "create", "--role", "root", *data]).exit_code != 0


def test_environment_variables_configure_the_cli(tmp_path: Path, monkeypatch: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("CHARGEBRIDGE_DATA_DIR", str(tmp_path / "from-env"))
    assert runner.invoke(app, ["station", "add", "ENV-1"]).exit_code == 0
    assert (tmp_path / "from-env" / "chargebridge.db").exists()


def test_token_create_limited_to_stations(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path)]
    created = runner.invoke(
        app, ["token", "create", "--role", "operator", "--station", "SITE-2", "--station", "SITE-1", *data]
    )
    assert created.exit_code == 0, created.output
    assert "SITE-1, SITE-2" in created.output
    token = created.output.strip().splitlines()[-1].split()[-1]
    db = sqlite3.connect(tmp_path / "chargebridge.db")
    ((token_id,),) = db.execute("SELECT id FROM api_tokens WHERE token_hash = ?", (hash_api_token(token),))
    scope = db.execute("SELECT station_id FROM api_token_stations WHERE token_id = ? ORDER BY 1", (token_id,))
    assert [row[0] for row in scope] == ["SITE-1", "SITE-2"]
    listed = runner.invoke(app, ["token", "list", *data]).output
    assert token_id in listed and "SITE-1, SITE-2" in listed
    unscoped = runner.invoke(app, ["token", "create", "--role", "viewer", *data])
    assert unscoped.exit_code == 0 and "for stations" not in unscoped.output
    assert db.execute("SELECT count(*) FROM api_token_stations").fetchone() == (2,)
    bad = runner.invoke(app, ["token", "create", "--station", "bad:id", *data])
    assert bad.exit_code != 0 and db.execute("SELECT count(*) FROM api_tokens").fetchone() == (2,)


def test_serve_takes_trusted_proxies_from_flags_and_environment(tmp_path: Path, monkeypatch: object) -> None:
    import pytest

    import chargebridge.cli as cli
    from chargebridge.config import Settings

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    seen: list[Settings] = []

    async def fake_serve(settings: Settings) -> None:
        seen.append(settings)

    monkeypatch.setattr(cli, "_serve", fake_serve)
    data = ["--data-dir", str(tmp_path)]
    flags = ["--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "192.0.2.7", "--proxy-protocol"]
    result = runner.invoke(app, ["serve", *data, *flags])
    assert result.exit_code == 0, result.output
    assert seen[-1].trusted_proxies == ["10.0.0.0/8", "192.0.2.7"] and seen[-1].proxy_protocol is True
    monkeypatch.setenv("CHARGEBRIDGE_TRUSTED_PROXIES", "127.0.0.1, 2001:db8::/32")
    monkeypatch.setenv("CHARGEBRIDGE_REPLACEMENT_LIMIT", "3")
    assert runner.invoke(app, ["serve", *data]).exit_code == 0
    assert seen[-1].trusted_proxies == ["127.0.0.1", "2001:db8::/32"] and seen[-1].replacement_limit == 3
    monkeypatch.setenv("CHARGEBRIDGE_TRUSTED_PROXIES", "not-an-address")
    assert runner.invoke(app, ["serve", *data]).exit_code != 0
