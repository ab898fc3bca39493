"""Authentication of MQTT commands: the token-carrying envelope and the replay guard (no I/O).

MQTT does not tell a subscriber who published a message, so a command names no trustworthy
sender by itself. Every command message is therefore an envelope that carries an API bearer
token, verified exactly as the REST API verifies its ``Authorization`` header (same token
store, roles, expiry, revocation and station scopes)::

    {"token": "cb_...", "nonce": "5f0c2a9e-...", "sent_at": "2026-11-23T10:00:00Z", "body": {"type": "Hard"}}

``nonce`` (8-128 printable characters, unique per command) and ``sent_at`` (RFC 3339) make a
captured or re-delivered message useless: a message whose ``sent_at`` is more than
``replay_window_s`` away from the node's clock is refused, and so is a nonce the same token
already used within the window. ``body`` is the command's body, the same JSON as
``POST /api/v1/stations/{station}/commands/{name}`` takes (absent: ``{}``).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

ENVELOPE_HELP = 'a command must be a JSON envelope {"token": "cb_...", "nonce": "...", "sent_at": "...", "body": {...}}'


class CommandRefused(Exception):
    """A command message that is not run. ``denied``: an authentication or authorization refusal
    (recorded as a security event and audited as ``refused``); otherwise an ordinary error."""

    def __init__(self, code: int, reason: str, details: Any = None, *, denied: bool = False):
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.details = details
        self.denied = denied


class CommandEnvelope(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    token: str = Field(min_length=1, max_length=512)
    nonce: str = Field(min_length=8, max_length=128)
    sent_at: AwareDatetime
    body: dict[str, Any] = Field(default_factory=dict)

    @field_validator("nonce")
    @classmethod
    def _printable(cls, value: str) -> str:
        if not value.isprintable() or not value.isascii():
            raise ValueError("must be printable ASCII")
        return value


def read_payload(payload: bytes | bytearray | str | None) -> dict[str, Any]:
    """The JSON object of a command message, or :class:`CommandRefused` (401: it cannot carry a token)."""
    try:
        raw = payload.decode() if isinstance(payload, bytes | bytearray) else payload
        data = json.loads(raw) if raw else None
    except (UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict):
        raise CommandRefused(401, ENVELOPE_HELP, denied=True)
    return data


def token_of(data: dict[str, Any]) -> str:
    token = data.get("token")
    if not isinstance(token, str) or not token:
        raise CommandRefused(401, f"the command carries no API token; {ENVELOPE_HELP}", denied=True)
    return token


def parse_envelope(data: dict[str, Any]) -> CommandEnvelope:
    try:
        return CommandEnvelope.model_validate(data)
    except ValidationError as exc:
        details = json.loads(exc.json(include_input=False, include_url=False))
        raise CommandRefused(422, "invalid command envelope", details) from exc


class ReplayGuard:
    """Refuses stale, future and repeated command messages.

    A message is fresh when ``sent_at`` is within ``window`` of ``now`` (either way, for clock
    skew). A fresh message's ``(token id, nonce)`` is remembered for twice the window: by then
    any copy of it is stale anyway. Memory is bounded: beyond ``max_entries`` remembered nonces
    new commands are refused (429) until old ones expire, rather than forgetting a nonce early.
    Held in memory per node: after a restart only the time window protects (at most ``window``).
    """

    def __init__(self, window_s: float, max_entries: int = 100_000):
        self.window = timedelta(seconds=window_s)
        self.max_entries = max_entries
        self._seen: OrderedDict[tuple[str, str], datetime] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def check(self, token_id: str, nonce: str, sent_at: datetime, now: datetime) -> None:
        """Remember the nonce or raise :class:`CommandRefused`."""
        if abs(now - sent_at) > self.window:
            raise CommandRefused(
                401,
                f"sent_at {sent_at.isoformat()} is outside the replay window "
                f"({self.window.total_seconds():g} s either side of the server's clock {now.isoformat()})",
                denied=True,
            )
        self._forget_expired(now)
        key = (token_id, nonce)
        if key in self._seen:
            raise CommandRefused(409, "replayed command: this nonce was already used", denied=True)
        if len(self._seen) >= self.max_entries:
            raise CommandRefused(429, "too many commands within the replay window; retry later")
        self._seen[key] = now + 2 * self.window

    def _forget_expired(self, now: datetime) -> None:
        while self._seen:
            key, expires = next(iter(self._seen.items()))
            if expires > now:
                return
            del self._seen[key]
