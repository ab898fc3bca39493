"""The bench: what a case may do to the station and how it watches what happens (the I/O side
of the validation capability). Cases act through :class:`Bench` and decide with the pure judges
of :mod:`chargebridge.validation.verdicts`.

Every change the bench makes to the station is recorded before it is made (:class:`Restoration`)
so that the runner can put it back when the run ends, whatever happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from chargebridge.domain.commands import (
    Command,
    CommandNotSupported,
    CommandOutcome,
    GetConfiguration,
    SetConfiguration,
    VariableRef,
)
from chargebridge.rpc import CallInProgress, CallRejected, CallTimeout, OcppError, OcppVersion, StationNotConnected
from chargebridge.validation.evidence import CALL, CALLRESULT, Entry, Frame, Observed, RunLog
from chargebridge.validation.model import RunSettings
from chargebridge.validation.readings import TxMessage, transaction_messages
from chargebridge.validation.verdicts import ConnectionFacts

if TYPE_CHECKING:
    from chargebridge.api.deps import CommandObserver
    from chargebridge.authorization.local_list_service import LocalListService
    from chargebridge.authorization.reservation_service import ReservationService
    from chargebridge.config import Settings
    from chargebridge.firmware.service import FirmwareService
    from chargebridge.gateway.connection import StationConnection
    from chargebridge.gateway.server import Gateway
    from chargebridge.services.clock import Clock
    from chargebridge.services.station_requests import StationRequests
    from chargebridge.store.repository import Store

log = logging.getLogger(__name__)


class StationGone(Exception):
    """The station is not connected (and did not come back in time): the run cannot go on."""


@dataclass
class Ports:
    """What the bench uses of the node. The optional capabilities may be missing (their cases are
    then skipped with a reason)."""

    store: Store
    gateway: Gateway
    clock: Clock
    settings: Settings
    requests: StationRequests
    command_observers: Sequence[CommandObserver] = ()
    firmware: FirmwareService | None = None
    reservations: ReservationService | None = None
    local_list: LocalListService | None = None


@dataclass(frozen=True, slots=True)
class Sent:
    """A command the bench sent and what came of it: ``status`` None when there was no usable
    answer (``error`` says why: no answer in time, a CALLERROR, not expressible in the version)."""

    action: str | None
    status: str | None
    outcome: CommandOutcome | None = None
    error: str | None = None

    @property
    def response(self) -> dict[str, Any]:
        return self.outcome.response if self.outcome is not None else {}

    def shown(self) -> str | None:
        return self.status if self.status is not None else self.error


def maybe_changed(sent: Sent) -> bool:
    """Whether the station may have applied a command: it accepted it, or its answer is unknown
    (no answer in time, the connection dropped). A refusal or a CALLERROR changed nothing."""
    if sent.status is not None:
        return sent.status in ("Accepted", "Scheduled", "RebootRequired")
    return not (sent.error or "").startswith(("CALLERROR", "not possible", "could not be sent"))


@dataclass(frozen=True, slots=True)
class Setting:
    """A configuration value, named the 1.6 way and addressed the 2.0.1 way."""

    key: str | None  # 1.6 configuration key (None: no 1.6 form)
    component: str | None  # 2.0.1 component (None: no 2.0.1 form)
    variable: str
    instance: str | None = None

    def name(self, version: OcppVersion) -> str:
        if version is OcppVersion.V16:
            return self.key or self.variable
        return f"{self.component}.{self.variable}"

    def available(self, version: OcppVersion) -> bool:
        return (self.key if version is OcppVersion.V16 else self.component) is not None

    def ref(self) -> VariableRef:
        assert self.component is not None
        return VariableRef(self.component, self.variable, instance=self.instance)


HEARTBEAT_INTERVAL = Setting("HeartbeatInterval", "OCPPCommCtrlr", "HeartbeatInterval")
METER_INTERVAL = Setting("MeterValueSampleInterval", "SampledDataCtrlr", "TxUpdatedInterval")
CONNECTION_TIMEOUT = Setting("ConnectionTimeOut", "TxCtrlr", "EVConnectionTimeOut")
CLOCK_ALIGNED_INTERVAL = Setting("ClockAlignedDataInterval", "AlignedDataCtrlr", "Interval")
SECURITY_PROFILE_16 = Setting("SecurityProfile", None, "SecurityProfile")
NETWORK_PRIORITY = Setting(None, "OCPPCommCtrlr", "NetworkConfigurationPriority")


@dataclass
class Restoration:
    """What the bench changed and must put back. First recorded value wins (the original)."""

    config: dict[str, tuple[Setting, str]] = field(default_factory=dict)
    inoperative: set[int] = field(default_factory=set)  # EVSEs the bench made inoperative
    profiles: dict[int, int] = field(default_factory=dict)  # charging profile id -> EVSE id
    reservations: dict[int, bool] = field(default_factory=dict)  # reservation id -> through the service
    transactions: set[str] = field(default_factory=set)  # started by the bench, maybe still running
    local_list: tuple[int, bool] | None = None  # (original version, managed by chargebridge)
    firmware: tuple[str, dict[str, Any] | None] | None = None  # (original version, an image of it)
    security: dict[str, Any] | None = None  # the station row's security columns before an upgrade
    created_token: str | None = None
    # What the report says about the restoration.
    restored: list[str] = field(default_factory=list)
    not_restored: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def remember(self, setting: Setting, version: OcppVersion, original: str) -> None:
        self.config.setdefault(setting.name(version), (setting, original))


@dataclass
class LocalSession:
    """The session of the Basic level (or one the station started by itself)."""

    prompt_seq: int
    started: TxMessage | None = None
    ended: TxMessage | None = None
    first_seq: int = 0
    last_seq: int = 0
    configured_interval_s: float | None = None
    waited_s: float = 0.0


@dataclass
class ChargingSession:
    """A transaction the bench started remotely for smart charging and the offline case."""

    transaction_id: str
    evse_id: int
    started_seq: int
    unit: str
    reference: list[float] = field(default_factory=list)  # what the EV drew before any limit
    verdicts: dict[str, Any] = field(default_factory=dict)


def connection_facts(conn: StationConnection) -> ConnectionFacts:
    """TLS, authentication and client certificate of a live connection."""
    transport = conn.ws.transport
    ssl_object = transport.get_extra_info("ssl_object") if transport is not None else None
    cn: str | None = None
    digest: str | None = None
    if ssl_object is not None:
        der = ssl_object.getpeercert(binary_form=True)
        if der:
            digest = hashlib.sha256(der).hexdigest()
            with contextlib.suppress(ValueError):
                names = x509.load_der_x509_certificate(der).subject.get_attributes_for_oid(NameOID.COMMON_NAME)
                cn = str(names[0].value) if names else None
    authenticated = bool(conn.session.authenticated) if conn.session is not None else False
    return ConnectionFacts(ssl_object is not None, authenticated, cn, digest)


class Bench:
    """One run's access to its station. Created by the runner; cases get it as their argument."""

    def __init__(
        self,
        run_id: str,
        station_id: str,
        version: OcppVersion,
        settings: RunSettings,
        ports: Ports,
        log_: RunLog,
        *,
        token: str,
        base_url: str,
        set_prompt: Callable[[str | None], None],
    ):
        self.run_id = run_id
        self.station_id = station_id
        self.version = version
        self.settings = settings
        self.ports = ports
        self.log = log_
        self.token = token
        self.base_url = base_url
        self._set_prompt = set_prompt
        self.restore = Restoration()
        self.expecting_disconnect = 0
        self.probe_ids: set[str] = set()
        self.local: LocalSession | None = None
        self.remote_tx: str | None = None
        self.charging: ChargingSession | None = None
        self.signed_certificate_sha256: str | None = None

    # -- the station ---------------------------------------------------------------------------

    @property
    def v16(self) -> bool:
        return self.version is OcppVersion.V16

    @property
    def connected(self) -> bool:
        return self.station_id in self.ports.gateway.connections

    def connection(self) -> StationConnection:
        conn = self.ports.gateway.connections.get(self.station_id)
        if conn is None:
            raise StationGone(f"station {self.station_id} is not connected")
        return conn

    @contextlib.asynccontextmanager
    async def expect_disconnect(self) -> AsyncIterator[None]:
        """Disconnects inside this block are the bench's doing (a reset, an update, the offline
        case); outside it one aborts the run."""
        self.expecting_disconnect += 1
        try:
            yield
        finally:
            self.expecting_disconnect -= 1

    def prompt(self, text: str | None) -> None:
        """Ask the person at the station to do something (shown by the API, CLI and dashboard)."""
        self._set_prompt(text)
        if text:
            self.log.note("bench.prompt", {"text": text})

    # -- commands ------------------------------------------------------------------------------

    async def execute(self, command: Command, timeout_s: float | None = None) -> Sent:
        """Send a neutral command in the station's version; never raises for the station's answer
        (StationGone when it is not connected)."""
        gateway = self.ports.gateway
        try:
            answer = await gateway.execute(self.station_id, command, timeout_s or self.settings.response_timeout_s)
        except StationNotConnected as exc:
            raise StationGone(f"station {self.station_id} is not connected") from exc
        except CallTimeout:
            return Sent(None, None, error=f"no answer within {timeout_s or self.settings.response_timeout_s:g} s")
        except CallRejected as exc:
            return Sent(exc.action, None, error=f"CALLERROR {exc.code}: {exc.description}"[:300])
        except CommandNotSupported as exc:
            return Sent(None, None, error=f"not possible in OCPP {self.version.value}: {exc}")
        except (ConnectionError, CallInProgress) as exc:
            return Sent(None, None, error=str(exc) or type(exc).__name__)
        except (OcppError, ValueError) as exc:  # our payload broke the schema / a value it cannot carry
            return Sent(None, None, error=f"could not be sent: {exc}"[:300])
        for observer in self.ports.command_observers:
            try:
                await observer(self.station_id, command, answer.outcome)
            except Exception:
                log.exception("%s: a command observer failed", self.station_id)
        return Sent(answer.action, answer.outcome.status, answer.outcome)

    async def read_setting(self, setting: Setting) -> tuple[str | None, bool | None]:
        """(value, read-only) of a configuration value; (None, None) when it cannot be read."""
        if not setting.available(self.version):
            return None, None
        if self.v16:
            assert setting.key is not None
            sent = await self.execute(GetConfiguration(keys=(setting.key,)))
            for item in sent.response.get("configurationKey") or ():
                if isinstance(item, dict) and item.get("key") == setting.key:
                    value = item.get("value")
                    return (str(value) if value is not None else None), bool(item.get("readonly", False))
            return None, None
        sent = await self.execute(GetConfiguration(variables=(setting.ref(),)))
        for item in sent.response.get("getVariableResult") or ():
            if not isinstance(item, dict) or item.get("attributeStatus") != "Accepted":
                continue
            if (item.get("variable") or {}).get("name") == setting.variable:
                value = item.get("attributeValue")
                return (str(value) if value is not None else None), None
        return None, None

    async def write_setting(self, setting: Setting, value: str) -> Sent:
        if not setting.available(self.version):
            return Sent(None, None, error=f"{setting.variable} has no OCPP {self.version.value} form")
        if self.v16:
            return await self.execute(SetConfiguration(value, key=setting.key))
        return await self.execute(SetConfiguration(value, variable=setting.ref()))

    async def change_setting(self, setting: Setting, value: str) -> tuple[Sent, str | None]:
        """Read, remember and change a configuration value; (the answer, the original value)."""
        original, _ = await self.read_setting(setting)
        if original is not None and original == value:
            return Sent(None, "Accepted"), original
        sent = await self.write_setting(setting, value)
        if original is not None and maybe_changed(sent):
            self.restore.remember(setting, self.version, original)
        return sent, original

    # -- watching --------------------------------------------------------------------------------

    async def wait_for(
        self, predicate: Callable[[Entry], bool], timeout_s: float, cursor: int | None = None
    ) -> Entry | None:
        return await self.log.wait_for(predicate, timeout_s, cursor=cursor)

    async def wait_call(
        self,
        action: str | tuple[str, ...],
        timeout_s: float,
        cursor: int | None = None,
        match: Callable[[Frame], bool] | None = None,
    ) -> Frame | None:
        """The station's next CALL of ``action`` (and ``match``)."""
        actions = (action,) if isinstance(action, str) else action

        def wanted(entry: Entry) -> bool:
            return (
                isinstance(entry, Frame)
                and entry.type == CALL
                and entry.from_station
                and entry.action in actions
                and isinstance(entry.payload, dict)
                and (match is None or match(entry))
            )

        found = await self.log.wait_for(wanted, timeout_s, cursor=cursor)
        return found if isinstance(found, Frame) else None

    async def wait_event(
        self, kind: str, timeout_s: float, cursor: int | None = None, match: Callable[[Observed], bool] | None = None
    ) -> Observed | None:
        def wanted(entry: Entry) -> bool:
            return isinstance(entry, Observed) and entry.kind == kind and (match is None or match(entry))

        found = await self.log.wait_for(wanted, timeout_s, cursor=cursor)
        return found if isinstance(found, Observed) else None

    def tx_messages(self, cursor: int = 0) -> list[TxMessage]:
        return transaction_messages(self.version, self.log.frames(cursor))

    async def wait_tx(self, match: Callable[[TxMessage], bool], timeout_s: float, cursor: int) -> TxMessage | None:
        """The first answered transaction message from ``cursor`` that ``match`` accepts."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        position = cursor
        while True:
            for message in self.tx_messages(cursor):
                if message.answered and match(message):
                    return message
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None

            def answer(entry: Entry) -> bool:
                return (
                    isinstance(entry, Frame)
                    and entry.type == CALLRESULT
                    and not entry.from_station
                    and entry.action in ("StartTransaction", "StopTransaction", "TransactionEvent")
                )

            found = await self.log.wait_for(answer, remaining, cursor=position)
            if found is None:
                return None
            position = found.seq + 1

    async def wait_status(self, evse_id: int, statuses: frozenset[str], timeout_s: float, cursor: int) -> Frame | None:
        key = "connectorId" if self.v16 else "evseId"
        field_name = "status" if self.v16 else "connectorStatus"
        return await self.wait_call(
            "StatusNotification",
            timeout_s,
            cursor,
            lambda f: f.payload.get(key) == evse_id and f.payload.get(field_name) in statuses,
        )

    async def wait_connected(self, timeout_s: float) -> bool:
        if self.connected:
            return True
        found = await self.wait_event("station.connected", timeout_s)
        return found is not None or self.connected

    async def wait_reboot(
        self, cursor: int, started: float, response_s: float, bound_s: float
    ) -> tuple[float | None, float | None, float | None]:
        """Seconds after ``started`` (monotonic) until the socket closed, a new one opened and a
        BootNotification was accepted; None for what did not happen in time."""
        disconnected = await self.wait_event("station.disconnected", response_s, cursor)
        if disconnected is None:
            return None, None, None
        reconnected = await self.wait_event("station.connected", bound_s, disconnected.seq)
        if reconnected is None:
            return disconnected.mono - started, None, None
        remaining = max(0.0, bound_s - (reconnected.mono - disconnected.mono))
        booted = await self.wait_event(
            "station.booted", remaining, reconnected.seq, lambda e: e.data.get("status") == "Accepted"
        )
        return (
            disconnected.mono - started,
            reconnected.mono - started,
            booted.mono - started if booted is not None else None,
        )

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    async def gather(self, *work: Awaitable[Any]) -> list[Any]:
        return list(await asyncio.gather(*work))
