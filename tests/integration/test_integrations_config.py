"""The integrations TOML file: the documented example is valid, errors name the bad key, switches work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chargebridge.api.auth import Principal, Role
from chargebridge.app import Chargebridge
from chargebridge.config import Settings
from chargebridge.integrations import build_integrations
from chargebridge.integrations.config import ConfigError, IntegrationsConfig, load_config, parse_config

DOCS = Path(__file__).parents[2] / "docs" / "integrations.md"


def documented_example() -> str:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## Full example", 1)[1]
    match = re.search(r"```toml\n(.*?)```", section, re.S)
    assert match is not None, "docs/integrations.md has no TOML block under 'Full example'"
    return match.group(1)


def test_documented_full_example_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARGEBRIDGE_MQTT_PASSWORD", "secret")
    config = parse_config(documented_example(), "docs example")
    assert config.mqtt.enabled and config.mqtt.qos == 1
    fleet_manager = Principal("a1b2c3d4", "fleet-manager", Role.OPERATOR)  # an API token's id and name
    assert config.mqtt.commands.rules[0].allows(fleet_manager, "CP-7", "remote-start")
    assert not config.mqtt.commands.rules[0].allows(fleet_manager, "XY-7", "reset")
    assert not config.mqtt.commands.rules[0].allows(Principal("e5f6", "intruder", Role.ADMIN), "CP-7", "reset")
    assert config.mqtt.commands.replay_window_s == 60
    # every key the example sets at its default really is the default
    assert config.webhooks == IntegrationsConfig().webhooks
    assert config.exports == IntegrationsConfig().exports


def test_missing_secret_env_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHARGEBRIDGE_MQTT_PASSWORD", raising=False)
    with pytest.raises(ConfigError, match="CHARGEBRIDGE_MQTT_PASSWORD is not set"):
        parse_config(documented_example())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[mqtt]\nqos = 3\n", "mqtt.qos: "),
        ("[mqtt]\nhots = 'x'\n", "mqtt.hots: unknown key"),
        ("[mqtt.tls]\nenabeld = true\n", "mqtt.tls.enabeld: unknown key"),
        ("[[mqtt.commands.rules]]\nclients = ['a']\n", "mqtt.commands.rules[0].stations: Field required"),
        ("[mqtt]\ntopic_prefix = 'a/#'\n", "mqtt.topic_prefix: "),
        ("[webhooks]\nmax_attempts = 0\n", "webhooks.max_attempts: "),
        ("[metrics]\npath = 'metrics'\n", "metrics.path: "),
        ("[exports]\npage_size = 'many'\n", "exports.page_size: "),
        ("[modbsu]\nenabled = true\n", "modbsu: unknown key"),
    ],
)
def test_errors_name_the_bad_key(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "site.toml")
    assert str(info.value).startswith("site.toml: invalid configuration")
    assert expected in str(info.value)


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[mqtt\nqos = 1\n")
    with pytest.raises(ConfigError, match=r"bad\.toml: not valid TOML"):
        load_config(path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")


def test_switches_without_code_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cb.toml"
    path.write_text("[metrics]\nenabled = false\n[webhooks]\nenabled = false\n[mqtt]\nenabled = true\n")
    monkeypatch.setenv("CHARGEBRIDGE_CONFIG_FILE", str(path))
    settings = Settings()
    assert settings.config_file == path
    assert [ext.name for ext in build_integrations(settings)] == ["mqtt", "exports"]
    assert [ext.name for ext in build_integrations(Settings(config_file=None))] == ["webhooks", "exports", "metrics"]


def test_bad_file_stops_the_node_before_it_starts(tmp_path: Path) -> None:
    path = tmp_path / "cb.toml"
    path.write_text("[mqtt]\nport = 70000\n")
    with pytest.raises(ConfigError, match=r"mqtt\.port"):
        Chargebridge(Settings(data_dir=tmp_path, config_file=path))
