"""OCPP 1.6 forms of the device-model commands: configuration keys are the 1.6 device model.

A report is GetConfiguration (every key, or the keys asked for; answered at once, in the
CALLRESULT), and setting variables is ChangeConfiguration, one key per message. A 1.6 key is
a variable of :data:`~chargebridge.domain.devicemodel.NO_COMPONENT`. Monitoring, customer
information, display messages and network profiles have no 1.6 form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from chargebridge.domain import devicemodel as dm
from chargebridge.domain.commands import CommandNotSupported


def _key(component: str, variable: str | None) -> str:
    if component != dm.NO_COMPONENT or variable is None:
        raise CommandNotSupported("1.6 configuration keys have no component: name the key as the variable only")
    return variable


def _get_report(command: dm.GetReport) -> tuple[str, dict[str, Any]]:
    if command.criteria:
        raise CommandNotSupported("1.6 GetConfiguration has no component criteria")
    keys = [_key(selector.component.name, selector.variable) for selector in command.component_variables]
    return "GetConfiguration", {"key": keys} if keys else {}


def _set_variables(command: dm.SetVariables) -> tuple[str, dict[str, Any]]:
    if len(command.items) != 1:
        raise CommandNotSupported("1.6 ChangeConfiguration sets exactly one key")
    item = command.items[0]
    if item.ref.attribute not in (None, "Actual"):
        raise CommandNotSupported("1.6 configuration keys have only an actual value")
    return "ChangeConfiguration", {"key": _key(item.ref.component, item.ref.variable), "value": item.value}


COMMAND_ENCODERS: Mapping[type, Callable[[Any], tuple[str, dict[str, Any]]]] = MappingProxyType(
    {
        dm.GetBaseReport: lambda c: ("GetConfiguration", {}),
        dm.GetReport: _get_report,
        dm.SetVariables: _set_variables,
    }
)
