"""The gateway's config file and command line: what they accept, and how they say what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from chargebridge.cli import app
from chargebridge.integrations.config import ConfigError
from chargebridge.translate.config import load_translator_config, parse_translator_config

CONFIG = """
[gateway]
id_token_type = "Central"
answer_wait_s = 2.5

[upstream]
password = "shared-secret-123"
ca_file = "ca.pem"

[stations."CP-1"]
password = "own-secret-456"
anonymous_id_tag = "FREE"

[stations."CP-2"]
client_cert_file = "cp2.pem"
client_key_file = "cp2.key"
id_token_type = "KeyCode"
"""


def test_per_station_credentials_and_choices_fall_back_to_the_shared_ones() -> None:
    config = parse_translator_config(CONFIG)
    assert config.gateway.answer_wait_s == 2.5
    assert config.credentials("CP-1").resolved_password() == "own-secret-456"
    cp2 = config.credentials("CP-2")
    assert cp2.resolved_password() == "shared-secret-123" and cp2.client_cert_file == Path("cp2.pem")
    assert config.credentials("CP-OTHER").resolved_password() == "shared-secret-123"
    assert config.options("CP-1").anonymous_id_tag == "FREE"
    assert config.options("CP-1").id_token_type == "Central"
    assert config.options("CP-2").id_token_type == "KeyCode"
    assert config.upstream.ca_file == Path("ca.pem")


def test_passwords_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CP_PASSWORD", "from-the-env-789")
    config = parse_translator_config('[upstream]\npassword_env = "CP_PASSWORD"\n')
    assert config.credentials("X").resolved_password() == "from-the-env-789"
    monkeypatch.delenv("CP_PASSWORD")
    with pytest.raises(ConfigError, match=r"upstream: .*password_env: environment variable CP_PASSWORD is not set"):
        parse_translator_config('[upstream]\npassword_env = "CP_PASSWORD"\n')


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[gateway]\nanswer_wait = 1\n", "gateway.answer_wait: unknown key"),
        ('[gateway]\nid_token_type = "Badge"\n', "gateway.id_token_type"),
        ('[stations."CP-1"]\nclient_cert_file = "a.pem"\n', "stations.CP-1"),
        ("[gateway]\nmax_attempts = 0\n", "gateway.max_attempts"),
        ('[metrics]\npath = "metrics"\n', "metrics"),
        ("not toml [", "not valid TOML"),
    ],
)
def test_bad_config_names_the_key(text: str, key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.").replace("[", r"\[")):
        parse_translator_config(text, "gateway.toml")


def test_an_empty_bearer_token_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty token would let "Authorization: Bearer " with nothing after it read the routes."""
    with pytest.raises(ConfigError, match=r"metrics: .*bearer token is empty"):
        parse_translator_config('[metrics]\nbearer_token = ""\n')
    monkeypatch.setenv("GW_METRICS_TOKEN", "")
    with pytest.raises(ConfigError, match=r"metrics: .*bearer token is empty"):
        parse_translator_config('[metrics]\nbearer_token_env = "GW_METRICS_TOKEN"\n')
    monkeypatch.setenv("GW_METRICS_TOKEN", "a-real-token")
    config = parse_translator_config('[metrics]\nbearer_token_env = "GW_METRICS_TOKEN"\n')
    assert config.metrics.token() == "a-real-token"


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_translator_config(tmp_path / "nope.toml")
    assert load_translator_config(None).gateway.id_token_type == "ISO14443"


def test_gateway_command_checks_its_flags(tmp_path: Path) -> None:
    runner = CliRunner()
    help_text = runner.invoke(app, ["gateway", "--help"]).output
    for flag in (
        "--upstream",
        "--upstream-version",
        "--host",
        "--ocpp-port",
        "--data-dir",
        "--config",
        "--database-url",
    ):
        assert flag in help_text
    bad_url = runner.invoke(app, ["gateway", "--upstream", "http://csms/ocpp", "--upstream-version", "2.0.1"])
    assert bad_url.exit_code == 2 and "ws://" in bad_url.output
    bad_version = runner.invoke(app, ["gateway", "--upstream", "ws://csms/ocpp", "--upstream-version", "2.1"])
    assert bad_version.exit_code == 2 and "2.0.1 or 1.6" in bad_version.output
    config = tmp_path / "g.toml"
    config.write_text("[gateway]\nnope = 1\n")
    bad_config = runner.invoke(
        app, ["gateway", "--upstream", "ws://csms/ocpp", "--upstream-version", "1.6", "--config", str(config)]
    )
    assert bad_config.exit_code == 2 and "gateway.nope" in bad_config.output
