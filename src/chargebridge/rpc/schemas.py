"""Validation of payloads against the official OCA JSON schemas shipped in the ``ocpp`` package.

Schemas are compiled with fastjsonschema on first use of each action and cached, so a
validation costs a few microseconds. Violations are mapped to the OCPP-J error codes.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from importlib import resources
from typing import Any

import fastjsonschema

from chargebridge.rpc.errors import ErrorCode, OcppError
from chargebridge.rpc.version import OcppVersion

Validator = Callable[[dict[str, Any]], Any]

_OCCURRENCE_RULES = frozenset({"required", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties"})
_PROPERTY_RULES = frozenset(
    {
        "enum",
        "const",
        "maxLength",
        "minLength",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "format",
    }
)


def _error_code_for(rule: str | None) -> ErrorCode:
    if rule == "type":
        return ErrorCode.TYPE_CONSTRAINT_VIOLATION
    if rule in _OCCURRENCE_RULES:
        return ErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION
    if rule in _PROPERTY_RULES:
        return ErrorCode.PROPERTY_CONSTRAINT_VIOLATION
    return ErrorCode.FORMAT_VIOLATION


class SchemaSet:
    """All request and response schemas of one OCPP version."""

    def __init__(self, version: OcppVersion):
        self.version = version
        package = "v16" if version is OcppVersion.V16 else "v201"
        self._dir = resources.files("ocpp") / package / "schemas"
        self._request_suffix = "" if version is OcppVersion.V16 else "Request"
        names = {entry.name for entry in self._dir.iterdir() if entry.name.endswith(".json")}
        self.actions: frozenset[str] = frozenset(
            name.removesuffix("Response.json") for name in names if name.endswith("Response.json")
        )
        self._validators: dict[tuple[str, bool], Validator] = {}

    def knows(self, action: str) -> bool:
        return action in self.actions

    def _validator(self, action: str, response: bool) -> Validator:
        key = (action, response)
        validator = self._validators.get(key)
        if validator is None:
            suffix = "Response" if response else self._request_suffix
            schema = json.loads((self._dir / f"{action}{suffix}.json").read_text(encoding="utf-8"))
            # use_default=False: validation must never change the payload (no injected defaults)
            validator = fastjsonschema.compile(schema, use_default=False)
            self._validators[key] = validator
        return validator

    def _validate(self, action: str, payload: dict[str, Any], response: bool) -> None:
        if action not in self.actions:
            raise OcppError(ErrorCode.NOT_IMPLEMENTED, f"action {action[:64]!r} is not defined in OCPP {self.version}")
        try:
            self._validator(action, response)(payload)
        except fastjsonschema.JsonSchemaValueException as exc:
            raise OcppError(_error_code_for(exc.rule), str(exc.message)[:200]) from exc

    def validate_request(self, action: str, payload: dict[str, Any]) -> None:
        """Raise :class:`OcppError` with the matching code if ``payload`` is not a valid request."""
        self._validate(action, payload, response=False)

    def validate_response(self, action: str, payload: dict[str, Any]) -> None:
        """Raise :class:`OcppError` with the matching code if ``payload`` is not a valid response."""
        self._validate(action, payload, response=True)

    def warm(self) -> None:
        """Compile every schema now (at start-up) instead of on first use."""
        for action in self.actions:
            self._validator(action, False)
            self._validator(action, True)


@functools.cache
def schemas_for(version: OcppVersion) -> SchemaSet:
    """The shared, compiled schema set of a version (immutable once compiled, so safe to share)."""
    return SchemaSet(version)
