"""Repositories: every read and write chargebridge makes, over SQLAlchemy Core.

Writes go through the :class:`GroupCommitWriter` and return after COMMIT; reads use their
own connections. Rows come back as plain dicts with timezone-aware UTC datetimes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Float,
    Select,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chargebridge.domain.model import AuthorizationStatus, MeterSample, StationIdentity
from chargebridge.domain.requests import MeterValuesRequest, TransactionEventRequest, TransactionEventType
from chargebridge.domain.transactions import (
    AWAITING_EVENTS,
    COMPLETE,
    DEFAULT_CLOCK_SKEW_LIMIT_S,
    FINAL,
    INCOMPLETE,
    TransactionState,
    merge_event,
    merge_samples,
    missing_seq_nos,
    register_values,
)
from chargebridge.store.database import (
    NO_TIMEOUTS,
    DatabaseTimeouts,
    ExecuteMany,
    GroupCommitWriter,
    InsertRows,
    RawStatement,
    StoreUnavailable,
    create_engine,
    is_unavailable,
    migrate,
    probe_for,
)
from chargebridge.store.health import DatabaseHealth
from chargebridge.store.schema import (
    api_tokens,
    connectors,
    faults,
    id_tokens,
    meter_samples,
    signed_meter_values,
    station_events,
    stations,
    transaction_events,
    transactions,
)
from chargebridge.store.station_cache import StationCache
from chargebridge.store.token_cache import TokenCache

Row = dict[str, Any]

# What runs after a write's COMMIT (publishing what the write recorded).
AfterCommit = Callable[[], None]
# Runs inside the database transaction that finalises a transaction, exactly once per transaction:
# (connection, final state, the row's primary key, now). Whatever it writes commits (or rolls back)
# with the finalisation; it may return a callable that runs once that commit is durable (billing
# writes its CDR here and publishes cdr.created after the commit).
FinaliseHook = Callable[[AsyncConnection, TransactionState, int, datetime], Awaitable[AfterCommit | None]]
# Told after that commit (publishes transaction.finalised): (final state, now). Must not raise.
FinalisedListener = Callable[[TransactionState, datetime], None]

log = logging.getLogger(__name__)

SLOW_READ_S = 2.0  # a read waiting this long makes the health monitor probe the database at once
PROBE_TIMEOUT_S = 3.0  # longest wait for the health probe's answer


def _probe_with(engine: AsyncEngine) -> Callable[[], Awaitable[None]]:
    async def probe() -> None:
        async with engine.connect() as conn:
            await conn.execute(select(1))

    return probe


_STATE_FIELDS = tuple(f.name for f in fields(TransactionState))


def _key_hash(key: str) -> str:
    """De-duplication keys are stored as SHA-256 hex: fixed width, whatever the station sent."""
    return hashlib.sha256(key.encode()).hexdigest()


class StationExists(Exception):
    pass


class NotFound(Exception):
    pass


def _aware(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def aware_row(mapping: Mapping[Any, Any]) -> Row:
    """A result row as a dict, its datetimes UTC-aware (SQLite hands them back naive)."""
    return {key: _aware(value) for key, value in mapping.items()}


def _state_from_row(row: Mapping[Any, Any]) -> TransactionState:
    return TransactionState(**{name: _aware(row[name]) for name in _STATE_FIELDS})


def _state_values(state: TransactionState) -> dict[str, Any]:
    return asdict(state)


def sample_rows(
    station_id: str,
    evse_id: int,
    connector_id: int | None,
    transaction_id: str | None,
    samples: Iterable[MeterSample],
) -> list[dict[str, Any]]:
    return [
        {
            "station_id": station_id,
            "evse_id": evse_id,
            "connector_id": connector_id,
            "transaction_id": transaction_id,
            "timestamp": sample.timestamp,
            "measurand": value.measurand,
            "value": value.value,
            "unit": value.unit,
            "phase": value.phase,
            "location": value.location,
            "context": value.context.value,
        }
        for sample in samples
        for value in sample.values
    ]


def signed_rows(
    station_id: str,
    evse_id: int,
    connector_id: int | None,
    transaction_id: str | None,
    samples: Iterable[MeterSample],
    received_at: datetime,
) -> list[dict[str, Any]]:
    return [
        {
            "station_id": station_id,
            "evse_id": evse_id,
            "connector_id": connector_id,
            "transaction_id": transaction_id,
            "timestamp": sample.timestamp,
            "measurand": signed.measurand,
            "context": signed.context.value,
            "encoding_method": signed.encoding_method[:50],
            "signing_method": signed.signing_method[:50] if signed.signing_method else None,
            "data": signed.data,
            "public_key": signed.public_key,
            "received_at": received_at,
        }
        for sample in samples
        for signed in sample.signed
    ]


class Store:
    """The database behind chargebridge (SQLite or PostgreSQL)."""

    def __init__(
        self,
        engine: AsyncEngine,
        writer: GroupCommitWriter,
        *,
        health: DatabaseHealth | None = None,
        token_cache: TokenCache | None = None,
        read_timeout_s: float | None = None,
        owned_engines: Sequence[AsyncEngine] = (),
    ):
        self.engine = engine
        self.writer = writer
        # Whether the database answers (probed; see store/health.py). Reads fail at once while it
        # does not, writes wait for it up to the writer's retry window.
        self.health = health or writer.health or DatabaseHealth(_probe_with(engine))
        writer.health = self.health
        self.token_cache = token_cache if token_cache is not None else TokenCache()  # an empty cache is falsy
        self.read_timeout_s = read_timeout_s
        # Reads waiting on the database: ended at once when an outage is declared (they are doomed).
        self._reads_in_flight: set[asyncio.Timeout] = set()
        self.health.on_down(self._abort_reads)
        self._owned_engines = list(owned_engines)
        # Cluster mode: this node's id. Connects record it in stations.node_id, and a disconnect
        # or a start-up only clears the stations of this node (the others hold theirs).
        self.node_id: str | None = None
        self._dialect = engine.dialect.name
        self._insert_samples = InsertRows(meter_samples)
        self._insert_signed = InsertRows(signed_meter_values)
        self._insert_events = InsertRows(station_events)
        station_by_id = stations.c.id == bindparam("c_id")
        self._mark_connected = ExecuteMany(
            update(stations)
            .where(station_by_id)
            .values(
                connected=True,
                last_seen=bindparam("c_at"),
                connected_at=bindparam("c_at"),
                ocpp_version=bindparam("c_version"),
            )
        )
        self._mark_disconnected = ExecuteMany(
            update(stations)
            .where(station_by_id)
            .values(connected=False, last_seen=bindparam("c_at"), disconnected_at=bindparam("c_at"))
        )
        self._mark_connected_on_node = ExecuteMany(
            update(stations)
            .where(station_by_id)
            .values(
                connected=True,
                last_seen=bindparam("c_at"),
                connected_at=bindparam("c_at"),
                ocpp_version=bindparam("c_version"),
                node_id=bindparam("c_node"),
            )
        )
        # Only if the station is still this node's: it may have reconnected to another node already.
        self._mark_disconnected_on_node = ExecuteMany(
            update(stations)
            .where(station_by_id, stations.c.node_id == bindparam("c_node"))
            .values(connected=False, node_id=None, last_seen=bindparam("c_at"), disconnected_at=bindparam("c_at"))
        )
        self._record_boots = ExecuteMany(
            update(stations)
            .where(stations.c.id == bindparam("b_id"))
            .values(
                ocpp_version=bindparam("b_version"),
                vendor=bindparam("b_vendor"),
                model=bindparam("b_model"),
                serial_number=bindparam("b_serial"),
                firmware_version=bindparam("b_firmware"),
                iccid=bindparam("b_iccid"),
                imsi=bindparam("b_imsi"),
                meter_type=bindparam("b_meter_type"),
                meter_serial_number=bindparam("b_meter_serial"),
                boot_status=bindparam("b_status"),
                last_boot_at=bindparam("b_at"),
                last_seen=bindparam("b_at"),
            )
        )
        self._widen_ranges = WidenSampledRanges(self._for_update)
        # last_seen of many stations in one executemany on the raw driver (see RawStatement)
        self._touch = RawStatement(
            update(stations).where(stations.c.id == bindparam("sid")).values(last_seen=bindparam("seen"))
        )
        self._connector_statuses = ConnectorStatuses(self._dialect)
        # Transaction finalisation (see docs/architecture.md#transaction-finalisation).
        self.finalise_hooks: list[FinaliseHook] = []
        # What handshakes read of station rows (see station_cache.py); the composition root sets the TTLs.
        self.station_cache = StationCache()
        self.finalised_listeners: list[FinalisedListener] = []
        # A transaction start this far after its arrival is flagged start_in_future (the
        # clock_skew_limit_s setting, given by the composition root).
        self.clock_skew_limit_s = DEFAULT_CLOCK_SKEW_LIMIT_S

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        run_migrations: bool = True,
        retry_window_s: float = 20.0,
        timeouts: DatabaseTimeouts | None = None,
        token_cache: TokenCache | None = None,
        linger_s: float = 0.0,
    ) -> Store:
        timeouts = timeouts or DatabaseTimeouts()
        if run_migrations:
            # Migrations may run long (a big table's ALTER): no statement limit on their own connection.
            migrations = create_engine(url, NO_TIMEOUTS, pooled=url.startswith("sqlite"))
            try:
                await migrate(migrations)
            finally:
                await migrations.dispose()
        engine = create_engine(url, timeouts)
        probe, probe_engine = probe_for(url, engine, timeouts)
        # SELECT 1 on a fresh connection takes milliseconds; 3 s without an answer is an outage.
        health = DatabaseHealth(probe, probe_timeout_s=min((timeouts.connect_s or 5.0) + 1.0, PROBE_TIMEOUT_S))
        writer = GroupCommitWriter(engine, retry_window_s=retry_window_s, health=health, linger_s=linger_s)
        writer.start()
        return cls(
            engine,
            writer,
            health=health,
            token_cache=token_cache,
            read_timeout_s=timeouts.read_s,
            owned_engines=[probe_engine] if probe_engine is not None else [],
        )

    async def close(self, timeout_s: float | None = None) -> None:
        """Commit what is queued (at most ``timeout_s``), stop probing, close the connections.
        Bounded when ``timeout_s`` is given: a hung database cannot hold up the exit."""
        await self.health.stop()
        drained = await self.writer.stop(timeout_s)
        for engine in [self.engine, *self._owned_engines]:
            try:
                async with asyncio.timeout(2.0 if timeout_s is not None else None):
                    # After a failed drain the database may hang: drop the pool, do not say goodbye.
                    await engine.dispose(close=drained)
            except TimeoutError:
                log.warning("database connections not closed within 2 s; dropped")

    # -- helpers ---------------------------------------------------------------------------

    def _insert_ignore(self, table: Any) -> Any:
        """INSERT ... ON CONFLICT DO NOTHING for the running dialect."""
        if self._dialect == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing()
        return sqlite.insert(table).on_conflict_do_nothing()

    def _for_update(self, query: Select[Any]) -> Select[Any]:
        return query.with_for_update() if self._dialect == "postgresql" else query

    @contextlib.asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A read connection, bounded in time. While the database is known to be unreachable,
        :class:`StoreUnavailable` at once (the API answers 503); a connection-level failure, no
        answer within the read limit, or an outage declared while it waits also becomes
        :class:`StoreUnavailable` (and makes the health monitor probe)."""
        if self.health.down:
            self.health.refused_reads += 1
            raise StoreUnavailable(f"database unreachable: {self.health.reason}")
        started = time.monotonic()
        # a read still waiting after a moment makes the health monitor probe at once
        slow = asyncio.get_running_loop().call_later(SLOW_READ_S, self.health.nudge)
        try:
            async with asyncio.timeout(self.read_timeout_s) as limit:
                self._reads_in_flight.add(limit)
                try:
                    async with self.engine.connect() as conn:
                        yield conn
                finally:
                    self._reads_in_flight.discard(limit)
                    slow.cancel()
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            self.health.refused_reads += 1
            if not isinstance(exc, StoreUnavailable):
                self.health.failed(exc, started)
            raise StoreUnavailable("database unreachable") from exc

    def _abort_reads(self) -> None:
        now = asyncio.get_running_loop().time()
        for limit in list(self._reads_in_flight):
            limit.reschedule(now)

    async def _fetch_all(self, query: Any) -> list[Row]:
        async with self.reading() as conn:
            result = await conn.execute(query)
            return [aware_row(r) for r in result.mappings()]

    async def _fetch_one(self, query: Any) -> Row | None:
        async with self.reading() as conn:
            result = await conn.execute(query)
            first = result.mappings().first()
            return aware_row(first) if first is not None else None

    # -- stations --------------------------------------------------------------------------

    async def get_station(self, station_id: str) -> Row | None:
        return await self._fetch_one(select(stations).where(stations.c.id == station_id))

    async def get_station_for_connect(self, station_id: str) -> Row | None:
        """What a handshake needs of the station's row (see :mod:`chargebridge.store.station_cache`):
        from the node's cache when it holds the station, else read and remembered."""
        cached = self.station_cache.get(station_id)
        if cached is not None:
            return cached
        generation = self.station_cache.generation
        row = await self.get_station(station_id)
        if row is not None:
            self.station_cache.fill(station_id, row, generation)
        return row

    async def add_station(
        self,
        station_id: str,
        *,
        now: datetime,
        password_hash: str | None = None,
        registration_status: str = "Accepted",
        security_profile: int = 0,
        if_missing: bool = False,
    ) -> Row:
        values = {
            "id": station_id,
            "password_hash": password_hash,
            "registration_status": registration_status,
            "security_profile": security_profile,
            "created_at": now,
            "connected": False,
        }

        async def op(conn: AsyncConnection) -> None:
            if if_missing:
                await conn.execute(self._insert_ignore(stations).values(**values))
                return
            try:
                async with conn.begin_nested():
                    await conn.execute(insert(stations).values(**values))
            except IntegrityError as exc:
                raise StationExists(station_id) from exc

        try:
            await self.writer.run(op)
        finally:
            self.station_cache.invalidate(station_id)
        row = await self.get_station(station_id)
        assert row is not None
        return row

    async def update_station(self, station_id: str, **values: Any) -> Row:
        async def op(conn: AsyncConnection) -> int:
            result = await conn.execute(update(stations).where(stations.c.id == station_id).values(**values))
            return int(result.rowcount)

        try:
            changed = await self.writer.run(op)
        finally:
            self.station_cache.invalidate(station_id)
        if changed == 0:
            raise NotFound(station_id)
        row = await self.get_station(station_id)
        assert row is not None
        return row

    async def delete_station(self, station_id: str) -> bool:
        async def op(conn: AsyncConnection) -> int:
            await conn.execute(delete(connectors).where(connectors.c.station_id == station_id))
            await conn.execute(delete(faults).where(faults.c.station_id == station_id))
            result = await conn.execute(delete(stations).where(stations.c.id == station_id))
            return int(result.rowcount)

        try:
            return await self.writer.run(op) > 0
        finally:
            self.station_cache.invalidate(station_id)
            self.station_cache.forget_verified(station_id)

    def _station_filter(
        self, query: Select[Any], connected: bool | None, search: str | None, only: Collection[str] | None = None
    ) -> Select[Any]:
        if only is not None:  # a station-scoped API token
            query = query.where(stations.c.id.in_(sorted(only)))
        if connected is not None:
            query = query.where(stations.c.connected == connected)
        if search:
            query = query.where(stations.c.id.contains(search, autoescape=True))
        return query

    async def list_stations(
        self,
        *,
        limit: int = 100,
        offset: int = 0,
        connected: bool | None = None,
        search: str | None = None,
        only: Collection[str] | None = None,
    ) -> tuple[list[Row], int]:
        query = self._station_filter(select(stations), connected, search, only).order_by(stations.c.id)
        total_query = self._station_filter(select(func.count()).select_from(stations), connected, search, only)
        async with self.engine.connect() as conn:
            rows = [aware_row(r) for r in (await conn.execute(query.limit(limit).offset(offset))).mappings()]
            total = int((await conn.execute(total_query)).scalar_one())
        return rows, total

    async def record_boot(
        self, station_id: str, identity: StationIdentity, version: str, at: datetime, status: str
    ) -> None:
        boot = {
            "b_id": station_id,
            "b_version": version,
            "b_vendor": identity.vendor,
            "b_model": identity.model,
            "b_serial": identity.serial_number,
            "b_firmware": identity.firmware_version,
            "b_iccid": identity.iccid,
            "b_imsi": identity.imsi,
            "b_meter_type": identity.meter_type,
            "b_meter_serial": identity.meter_serial_number,
            "b_status": status,
            "b_at": at,
        }
        event = {
            "station_id": station_id,
            "at": at,
            "kind": "boot",
            "data": {
                "status": status,
                "vendor": identity.vendor,
                "model": identity.model,
                "firmware_version": identity.firmware_version,
            },
        }
        try:
            await asyncio.gather(
                self.writer.submit_grouped(self._record_boots, boot),
                self.writer.submit_grouped(self._insert_events, [event]),
            )
        except BaseException:
            self.station_cache.invalidate(station_id)  # boot_status: unknown whether it committed
            raise
        # a boot changes only boot_status of what the handshake reads: the cached entry keeps the rest
        self.station_cache.update(station_id, boot_status=status)

    async def mark_connection(self, station_id: str, *, connected: bool, version: str | None, at: datetime) -> None:
        event = {
            "station_id": station_id,
            "at": at,
            "kind": "connected" if connected else "disconnected",
            "data": {"ocpp_version": version} if version else {},
        }
        node = self.node_id
        if connected and node is not None:
            change = self.writer.submit_grouped(
                self._mark_connected_on_node, {"c_id": station_id, "c_at": at, "c_version": version, "c_node": node}
            )
        elif connected:
            change = self.writer.submit_grouped(
                self._mark_connected, {"c_id": station_id, "c_at": at, "c_version": version}
            )
        elif node is not None:
            change = self.writer.submit_grouped(
                self._mark_disconnected_on_node, {"c_id": station_id, "c_at": at, "c_node": node}
            )
        else:
            change = self.writer.submit_grouped(self._mark_disconnected, {"c_id": station_id, "c_at": at})
        await asyncio.gather(change, self.writer.submit_grouped(self._insert_events, [event]))

    async def mark_all_disconnected(self, at: datetime) -> None:
        """At start-up no socket is live yet, whatever the last run left behind (in cluster mode:
        no socket of this node; the other nodes' stations stay as they are)."""
        query = update(stations).where(stations.c.connected.is_(True))
        if self.node_id is not None:
            query = query.where(stations.c.node_id == self.node_id)

        async def op(conn: AsyncConnection) -> None:
            await conn.execute(query.values(connected=False, node_id=None, disconnected_at=at))

        await self.writer.run(op)

    async def touch_many(self, last_seen: Mapping[str, datetime]) -> None:
        """Batch update of last_seen (heartbeats): one statement for many stations."""
        if not last_seen:
            return
        params = [{"sid": sid, "seen": seen} for sid, seen in last_seen.items()]

        async def op(conn: AsyncConnection) -> None:
            await self._touch.executemany(conn, params)

        await self.writer.run(op)

    async def connectors_of(self, station_ids: Sequence[str]) -> dict[str, list[Row]]:
        rows = await self._fetch_all(
            select(connectors)
            .where(connectors.c.station_id.in_(station_ids))
            .order_by(connectors.c.evse_id, connectors.c.connector_id)
        )
        out: dict[str, list[Row]] = {sid: [] for sid in station_ids}
        for row in rows:
            out[row["station_id"]].append(row)
        return out

    async def set_connector_status(
        self,
        station_id: str,
        *,
        evse_id: int,
        connector_id: int,
        status: str,
        at: datetime,
        error_code: str | None,
        vendor_error_code: str | None,
        info: str | None,
    ) -> list[Row]:
        """Store a status and raise/clear the matching faults. Returns the faults raised."""
        item = _StatusWrite(
            {"station_id": station_id, "evse_id": evse_id, "connector_id": connector_id},
            {
                "status": status,
                "error_code": error_code,
                "vendor_error_code": vendor_error_code,
                "info": info,
                "updated_at": at,
            },
        )
        event = {
            "station_id": station_id,
            "at": at,
            "kind": "status",
            "data": {
                "evse_id": evse_id,
                "connector_id": connector_id,
                "status": status,
                "error_code": error_code,
                "vendor_error_code": vendor_error_code,
            },
        }
        raised, _ = await asyncio.gather(
            self.writer.submit_grouped(self._connector_statuses, item),
            self.writer.submit_grouped(self._insert_events, [event]),
        )
        return list(raised)

    @staticmethod
    def _fault_code(values: Mapping[str, Any]) -> str | None:
        """The fault a status means: its error code, Faulted, VendorError, or None (no fault)."""
        code: str | None = values["error_code"] or ("Faulted" if values["status"] == "Faulted" else None)
        if code is None and values["vendor_error_code"]:
            code = "VendorError"
        return code

    @staticmethod
    async def _sync_status_faults(
        conn: AsyncConnection, key: Mapping[str, Any], values: Mapping[str, Any]
    ) -> list[Row]:
        at, vendor_error_code = values["updated_at"], values["vendor_error_code"]
        where = and_(
            faults.c.station_id == key["station_id"],
            faults.c.evse_id == key["evse_id"],
            faults.c.connector_id == key["connector_id"],
            faults.c.source == "status",
            faults.c.cleared_at.is_(None),
        )
        code = Store._fault_code(values)
        if code is None:
            await conn.execute(update(faults).where(where).values(cleared_at=at))
            return []
        active = (await conn.execute(select(faults.c.code, faults.c.vendor_code).where(where))).all()
        if any(row.code == code and row.vendor_code == vendor_error_code for row in active):
            return []
        await conn.execute(update(faults).where(where).values(cleared_at=at))
        fault = {
            **key,
            "source": "status",
            "code": code,
            "vendor_code": vendor_error_code,
            "info": values["info"],
            "raised_at": at,
        }
        await conn.execute(insert(faults).values(**fault))
        return [fault]

    async def raise_fault(
        self,
        station_id: str,
        *,
        source: str,
        code: str,
        at: datetime,
        evse_id: int = 0,
        connector_id: int = 0,
        vendor_code: str | None = None,
        info: str | None = None,
    ) -> None:
        async def op(conn: AsyncConnection) -> None:
            await conn.execute(
                insert(faults).values(
                    station_id=station_id,
                    evse_id=evse_id,
                    connector_id=connector_id,
                    source=source,
                    code=code,
                    vendor_code=vendor_code,
                    info=info,
                    raised_at=at,
                )
            )

        await self.writer.run(op)

    async def clear_faults(
        self, station_id: str, *, source: str, code: str, at: datetime, evse_id: int = 0, connector_id: int = 0
    ) -> None:
        async def op(conn: AsyncConnection) -> None:
            await conn.execute(
                update(faults)
                .where(
                    faults.c.station_id == station_id,
                    faults.c.source == source,
                    faults.c.code == code,
                    faults.c.evse_id == evse_id,
                    faults.c.connector_id == connector_id,
                    faults.c.cleared_at.is_(None),
                )
                .values(cleared_at=at)
            )

        await self.writer.run(op)

    async def faults_of(self, station_ids: Sequence[str], *, active_only: bool = True) -> dict[str, list[Row]]:
        query = select(faults).where(faults.c.station_id.in_(station_ids)).order_by(faults.c.raised_at)
        if active_only:
            query = query.where(faults.c.cleared_at.is_(None))
        out: dict[str, list[Row]] = {sid: [] for sid in station_ids}
        for row in await self._fetch_all(query):
            out[row["station_id"]].append(row)
        return out

    async def record_clock_skew(
        self, station_id: str, skew_s: float | None, at: datetime, data: dict[str, Any] | None
    ) -> None:
        """The station's clock is ``skew_s`` seconds off (a ``clock_skew`` station event with
        ``data``), or agrees again (``skew_s`` None: the station's skew is cleared)."""

        async def op(conn: AsyncConnection) -> None:
            await conn.execute(
                update(stations)
                .where(stations.c.id == station_id)
                .values(clock_skew_s=skew_s, clock_skew_at=at if skew_s is not None else None)
            )
            if data is not None:
                await conn.execute(
                    insert(station_events).values(station_id=station_id, at=at, kind="clock_skew", data=data)
                )

        try:
            await self.writer.run(op)
        except BaseException:
            self.station_cache.invalidate(station_id)
            raise
        self.station_cache.update(station_id, clock_skew_s=skew_s, clock_skew_at=at if skew_s is not None else None)

    async def add_station_event(self, station_id: str | None, kind: str, at: datetime, data: dict[str, Any]) -> None:
        """``station_id`` None: a server security event before any station was named (a TLS handshake)."""
        await self.writer.run_grouped(
            self._insert_events, [{"station_id": station_id, "at": at, "kind": kind, "data": data}]
        )

    async def list_station_events(
        self, station_id: str, *, kind: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[Row]:
        query = select(station_events).where(station_events.c.station_id == station_id)
        if kind:
            query = query.where(station_events.c.kind == kind)
        return await self._fetch_all(query.order_by(station_events.c.id.desc()).limit(limit).offset(offset))

    async def list_security_events(
        self,
        *,
        station_id: str | None = None,
        type: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
        only: Collection[str] | None = None,
    ) -> list[Row]:
        """Security events of every station and of none (newest first), reported or recorded by us.
        ``only``: a station-scoped API token's stations (events of no station are left out)."""
        query = select(station_events).where(station_events.c.kind == "security_event")
        if only is not None:
            query = query.where(station_events.c.station_id.in_(sorted(only)))
        if station_id is not None:
            query = query.where(station_events.c.station_id == station_id)
        if type is not None:
            query = query.where(station_events.c.data["type"].as_string() == type)
        if since is not None:
            query = query.where(station_events.c.at >= since)
        return await self._fetch_all(query.order_by(station_events.c.id.desc()).limit(limit).offset(offset))

    async def activate_pending_password(self, station_id: str, pending_hash: str) -> bool:
        """Make the pending password the station's password (the old one stops working), unless
        the pending one changed meanwhile. True when it was made."""

        async def op(conn: AsyncConnection) -> int:
            result = await conn.execute(
                update(stations)
                .where(stations.c.id == station_id, stations.c.pending_password_hash == pending_hash)
                .values(password_hash=pending_hash, pending_password_hash=None)
            )
            return int(result.rowcount)

        try:
            return await self.writer.run(op) > 0
        finally:
            self.station_cache.invalidate(station_id)

    # -- id tokens -------------------------------------------------------------------------

    async def get_id_token(self, value: str) -> Row | None:
        generation = self.token_cache.generation
        row = await self._fetch_one(select(id_tokens).where(id_tokens.c.id_token == value))
        self.token_cache.fill(value, row, generation)  # answers Authorize while the database is away
        return row

    async def upsert_id_token(
        self,
        value: str,
        *,
        status: str,
        now: datetime,
        type: str | None = None,
        expires_at: datetime | None = None,
        group_id: str | None = None,
        create_only: bool = False,
    ) -> tuple[Row, bool]:
        """Insert or update a token; returns (row, created)."""
        values = {"status": status, "type": type, "expires_at": expires_at, "group_id": group_id, "updated_at": now}

        async def op(conn: AsyncConnection) -> bool:
            result = await conn.execute(update(id_tokens).where(id_tokens.c.id_token == value).values(**values))
            if result.rowcount:
                if create_only:
                    raise StationExists(value)
                return False
            await conn.execute(insert(id_tokens).values(id_token=value, created_at=now, **values))
            return True

        created = await self.writer.run(op)
        self.token_cache.written(value, {"id_token": value, **values})
        row = await self.get_id_token(value)
        assert row is not None
        return row, created

    async def delete_id_token(self, value: str) -> bool:
        async def op(conn: AsyncConnection) -> int:
            return int((await conn.execute(delete(id_tokens).where(id_tokens.c.id_token == value))).rowcount)

        deleted = await self.writer.run(op) > 0
        self.token_cache.written(value, None)
        return deleted

    async def list_id_tokens(self, *, limit: int = 100, offset: int = 0) -> list[Row]:
        return await self._fetch_all(select(id_tokens).order_by(id_tokens.c.id_token).limit(limit).offset(offset))

    # -- transactions ----------------------------------------------------------------------

    async def start_transaction_v16(
        self,
        station_id: str,
        event: TransactionEventRequest,
        token_status: AuthorizationStatus,
        now: datetime | None = None,
    ) -> tuple[TransactionState, bool]:
        """Record a 1.6 StartTransaction; a re-sent one returns the same transaction (replay=True).
        ``now``: when it was received (a start beyond the clock skew limit after it is flagged)."""

        async def op(conn: AsyncConnection) -> tuple[TransactionState, bool]:
            dedupe_key = _key_hash(event.dedupe_key) if event.dedupe_key is not None else None
            if dedupe_key is not None:
                existing = (
                    (
                        await conn.execute(
                            select(transactions).where(
                                transactions.c.station_id == station_id,
                                transactions.c.dedupe_key == dedupe_key,
                            )
                        )
                    )
                    .mappings()
                    .first()
                )
                if existing is not None:
                    return _state_from_row(existing), True
            state = merge_event(
                TransactionState(station_id, "", "1.6"),
                event,
                token_status,
                received_at=now,
                skew_limit_s=self.clock_skew_limit_s,
            )
            values = _state_values(state)
            values.update(
                transaction_id=f"new-{uuid.uuid4().hex[:24]}", dedupe_key=dedupe_key, updated_at=now or event.timestamp
            )
            result = await conn.execute(insert(transactions).values(**values))
            pk = result.inserted_primary_key[0] if result.inserted_primary_key else None
            assert pk is not None
            await conn.execute(update(transactions).where(transactions.c.pk == pk).values(transaction_id=str(pk)))
            if event.meter_values:
                rows = sample_rows(station_id, event.evse_id or 0, event.connector_id, str(pk), event.meter_values)
                if rows:
                    await conn.execute(insert(meter_samples), rows)
                await self._insert_signed_rows(
                    conn,
                    station_id,
                    event.evse_id or 0,
                    event.connector_id,
                    str(pk),
                    event.meter_values,
                    event.timestamp,
                )
            return replace(state, transaction_id=str(pk)), False

        return await self.writer.run(op)

    async def apply_transaction_event(
        self,
        station_id: str,
        version: str,
        event: TransactionEventRequest,
        token_status: AuthorizationStatus | None,
        now: datetime,
    ) -> tuple[TransactionState | None, str]:
        """Fold a transaction message into its record, exactly once.

        Returns ``(state, outcome)`` with outcome one of ``applied``, ``duplicate`` (seqNo or
        stop already seen: acknowledged, not applied again) or ``orphan`` (a stop for an unknown
        transaction, kept for review)."""
        assert event.transaction_id is not None
        tx_id = event.transaction_id
        after: list[AfterCommit] = []  # what the finalise hooks want done once the commit is durable

        async def op(conn: AsyncConnection) -> tuple[TransactionState | None, str, bool]:
            after.clear()  # the writer may run op again after a failed commit
            if event.seq_no is not None:
                inserted = await conn.execute(
                    self._insert_ignore(transaction_events).values(
                        station_id=station_id,
                        transaction_id=tx_id,
                        seq_no=event.seq_no,
                        event_type=event.event_type.value,
                        timestamp=event.timestamp,
                        offline=event.offline,
                        received_at=now,
                    )
                )
                if inserted.rowcount == 0:
                    return None, "duplicate", False
            row = (
                (
                    await conn.execute(
                        self._for_update(
                            select(transactions).where(
                                transactions.c.station_id == station_id,
                                transactions.c.transaction_id == tx_id,
                                transactions.c.orphan.is_(False),
                            )
                        )
                    )
                )
                .mappings()
                .first()
            )
            if row is None:
                if version == "1.6":
                    return await self._record_orphan_stop(conn, station_id, event, token_status, now, after)
                state = merge_event(
                    TransactionState(station_id, tx_id, version),
                    event,
                    token_status,
                    received_at=now,
                    skew_limit_s=self.clock_skew_limit_s,
                )
                result = await conn.execute(insert(transactions).values(**_state_values(state), updated_at=now))
                pk = result.inserted_primary_key[0] if result.inserted_primary_key else None
                assert pk is not None
                awaiting_since = None
            else:
                current = _state_from_row(row)
                if event.event_type is TransactionEventType.ENDED and not current.active and event.seq_no is None:
                    await conn.execute(
                        insert(station_events).values(
                            station_id=station_id,
                            at=now,
                            kind="duplicate_stop",
                            data={
                                "transaction_id": tx_id,
                                "meter_stop_wh": event.meter_stop_wh,
                                "timestamp": event.timestamp.isoformat(),
                            },
                        )
                    )
                    return current, "duplicate", False
                state = merge_event(current, event, token_status, received_at=now, skew_limit_s=self.clock_skew_limit_s)
                await conn.execute(
                    update(transactions)
                    .where(transactions.c.pk == row["pk"])
                    .values(**_state_values(state), updated_at=now)
                )
                pk, awaiting_since = row["pk"], _aware(row["awaiting_since"])
            if event.meter_values:
                evse_id = event.evse_id or state.evse_id or 0
                connector_id = event.connector_id or state.connector_id
                rows = sample_rows(station_id, evse_id, connector_id, tx_id, event.meter_values)
                if rows:
                    await conn.execute(insert(meter_samples), rows)
                await self._insert_signed_rows(conn, station_id, evse_id, connector_id, tx_id, event.meter_values, now)
            state, finalised = await self._settle(conn, pk, state, awaiting_since, now, after)
            return state, "applied", finalised

        state, outcome, finalised = await self.writer.run(op)
        _run_after_commit(after)
        if finalised and state is not None:
            self._finalised(state, now)
        return state, outcome

    async def _record_orphan_stop(
        self,
        conn: AsyncConnection,
        station_id: str,
        event: TransactionEventRequest,
        token_status: AuthorizationStatus | None,
        now: datetime,
        after: list[AfterCommit],
    ) -> tuple[TransactionState | None, str, bool]:
        key = _key_hash(f"stop:{event.transaction_id}:{event.timestamp.isoformat()}:{event.meter_stop_wh}")
        exists = (
            await conn.execute(
                select(transactions.c.pk).where(
                    transactions.c.station_id == station_id, transactions.c.dedupe_key == key
                )
            )
        ).first()
        if exists is not None:
            return None, "duplicate", False
        assert event.transaction_id is not None
        state = merge_event(
            TransactionState(station_id, event.transaction_id, "1.6", orphan=True),
            event,
            token_status,
            received_at=now,
            skew_limit_s=self.clock_skew_limit_s,
        )
        result = await conn.execute(insert(transactions).values(**_state_values(state), dedupe_key=key, updated_at=now))
        pk = result.inserted_primary_key[0] if result.inserted_primary_key else None
        assert pk is not None
        await conn.execute(
            insert(station_events).values(
                station_id=station_id,
                at=now,
                kind="orphan_stop",
                data={"transaction_id": event.transaction_id, "meter_stop_wh": event.meter_stop_wh},
            )
        )
        if event.meter_values:
            evse_id, connector_id = event.evse_id or 0, event.connector_id
            rows = sample_rows(station_id, evse_id, connector_id, event.transaction_id, event.meter_values)
            if rows:
                await conn.execute(insert(meter_samples), rows)
            await self._insert_signed_rows(
                conn, station_id, evse_id, connector_id, event.transaction_id, event.meter_values, now
            )
        state, finalised = await self._settle(conn, pk, state, None, now, after)
        return state, "orphan", finalised

    # -- finalisation ------------------------------------------------------------------------

    async def _settle(
        self,
        conn: AsyncConnection,
        pk: int,
        state: TransactionState,
        awaiting_since: datetime | None,
        now: datetime,
        after: list[AfterCommit],
    ) -> tuple[TransactionState, bool]:
        """Finalise an ended transaction whose events are all in (inside the caller's commit).

        1.6 transactions (and orphans) are final when they end. A 2.0.1 transaction is final
        once every seqNo from its Started event to its Ended event is stored; until then it is
        ``awaiting_events`` with the missing numbers listed. Returns (state, finalised now)."""
        if state.active or state.completeness in FINAL:
            return state, False
        missing: list[int] = []
        if state.end_seq_no is not None:
            rows = (
                await conn.execute(
                    select(transaction_events.c.seq_no, transaction_events.c.event_type).where(
                        transaction_events.c.station_id == state.station_id,
                        transaction_events.c.transaction_id == state.transaction_id,
                    )
                )
            ).all()
            started = [seq for seq, kind in rows if kind == TransactionEventType.STARTED.value]
            missing = missing_seq_nos({seq for seq, _ in rows}, min(started) if started else None, state.end_seq_no)
        if missing:
            await conn.execute(
                update(transactions)
                .where(transactions.c.pk == pk)
                .values(completeness=AWAITING_EVENTS, missing_seq_nos=missing, awaiting_since=awaiting_since or now)
            )
            return replace(state, completeness=AWAITING_EVENTS), False
        return await self._finalise(conn, pk, state, COMPLETE, now, None, after), True

    async def _finalise(
        self,
        conn: AsyncConnection,
        pk: int,
        state: TransactionState,
        completeness: str,
        now: datetime,
        note: str | None,
        after: list[AfterCommit],
    ) -> TransactionState:
        final = replace(state, completeness=completeness, finalised_at=now)
        values: dict[str, Any] = {"completeness": completeness, "finalised_at": now, "finalise_note": note}
        if completeness == COMPLETE:
            values["missing_seq_nos"] = None
        await conn.execute(update(transactions).where(transactions.c.pk == pk).values(**values))
        for hook in self.finalise_hooks:
            callback = await hook(conn, final, int(pk), now)
            if callback is not None:
                after.append(callback)
        return final

    def _finalised(self, state: TransactionState, now: datetime) -> None:
        for listener in self.finalised_listeners:
            listener(state, now)

    async def finalise_incomplete(
        self, station_id: str, transaction_id: str, now: datetime, note: str
    ) -> TransactionState | None:
        """Finalise a transaction still ``awaiting_events`` without its missing events (the wait is
        over). None when it is not awaiting events (already final, or unknown)."""
        after: list[AfterCommit] = []

        async def op(conn: AsyncConnection) -> TransactionState | None:
            after.clear()
            row = (
                (
                    await conn.execute(
                        self._for_update(
                            select(transactions).where(
                                transactions.c.station_id == station_id,
                                transactions.c.transaction_id == transaction_id,
                                transactions.c.orphan.is_(False),
                            )
                        )
                    )
                )
                .mappings()
                .first()
            )
            if row is None or row["completeness"] != AWAITING_EVENTS:
                return None
            return await self._finalise(conn, row["pk"], _state_from_row(row), INCOMPLETE, now, note[:255], after)

        state = await self.writer.run(op)
        _run_after_commit(after)
        if state is not None:
            self._finalised(state, now)
        return state

    async def set_finalise_after(self, station_id: str, transaction_id: str, at: datetime) -> None:
        """Finalise this awaiting transaction as incomplete from ``at`` on (earlier wins)."""

        async def op(conn: AsyncConnection) -> None:
            await conn.execute(
                update(transactions)
                .where(
                    transactions.c.station_id == station_id,
                    transactions.c.transaction_id == transaction_id,
                    transactions.c.completeness == AWAITING_EVENTS,
                    or_(transactions.c.finalise_after.is_(None), transactions.c.finalise_after > at),
                )
                .values(finalise_after=at)
            )

        await self.writer.run(op)

    async def awaiting_transactions(self, limit: int = 1000) -> list[Row]:
        """Ended transactions still waiting for missing events, oldest first."""
        return await self._fetch_all(
            select(transactions)
            .where(transactions.c.completeness == AWAITING_EVENTS)
            .order_by(transactions.c.awaiting_since)
            .limit(limit)
        )

    async def _insert_signed_rows(
        self,
        conn: AsyncConnection,
        station_id: str,
        evse_id: int,
        connector_id: int | None,
        transaction_id: str | None,
        samples: tuple[MeterSample, ...],
        received_at: datetime,
    ) -> None:
        rows = signed_rows(station_id, evse_id, connector_id, transaction_id, samples, received_at)
        if rows:
            await conn.execute(insert(signed_meter_values), rows)

    async def add_meter_values(self, station_id: str, request: MeterValuesRequest, now: datetime) -> None:
        """Store samples and widen the transaction's sampled register range; returns once both are
        committed. Both are grouped writes: a commit's worth of MeterValues costs two statements."""
        rows = sample_rows(station_id, request.evse_id, request.connector_id, request.transaction_id, request.samples)
        signed = signed_rows(
            station_id, request.evse_id, request.connector_id, request.transaction_id, request.samples, now
        )
        writes = [self.writer.submit_grouped(self._insert_samples, rows)]
        if signed:
            writes.append(self.writer.submit_grouped(self._insert_signed, signed))
        registers = register_values(request.samples)
        if request.transaction_id is not None and registers:
            widen = _Widen(station_id, request.transaction_id, min(registers), max(registers), request.samples, now)
            writes.append(self.writer.submit_grouped(self._widen_ranges, widen))
        # Futures, not coroutines: gathering them costs no task per write.
        await (writes[0] if len(writes) == 1 else asyncio.gather(*writes))

    def _transaction_filter(
        self,
        query: Select[Any],
        station_id: str | None,
        active: bool | None,
        since: datetime | None,
        only: Collection[str] | None = None,
    ) -> Select[Any]:
        if only is not None:  # a station-scoped API token
            query = query.where(transactions.c.station_id.in_(sorted(only)))
        if station_id is not None:
            query = query.where(transactions.c.station_id == station_id)
        if active is not None:
            query = query.where(transactions.c.active.is_(active))
        if since is not None:
            query = query.where(or_(transactions.c.started_at >= since, transactions.c.stopped_at >= since))
        return query

    async def list_transactions(
        self,
        *,
        station_id: str | None = None,
        active: bool | None = None,
        since: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
        only: Collection[str] | None = None,
    ) -> tuple[list[Row], int]:
        query = self._transaction_filter(select(transactions), station_id, active, since, only)
        total_query = self._transaction_filter(
            select(func.count()).select_from(transactions), station_id, active, since, only
        )
        async with self.engine.connect() as conn:
            rows = [
                aware_row(r)
                for r in (
                    await conn.execute(query.order_by(transactions.c.pk.desc()).limit(limit).offset(offset))
                ).mappings()
            ]
            total = int((await conn.execute(total_query)).scalar_one())
        return rows, total

    async def get_transaction(self, station_id: str, transaction_id: str) -> Row | None:
        return await self._fetch_one(
            select(transactions).where(
                transactions.c.station_id == station_id,
                transactions.c.transaction_id == transaction_id,
                transactions.c.orphan.is_(False),
            )
        )

    async def list_meter_values(
        self,
        station_id: str,
        *,
        since: datetime | None = None,
        transaction_id: str | None = None,
        limit: int = 1000,
        offset: int = 0,
    ) -> list[Row]:
        query = select(meter_samples).where(meter_samples.c.station_id == station_id)
        if since is not None:
            query = query.where(meter_samples.c.timestamp >= since)
        if transaction_id is not None:
            query = query.where(meter_samples.c.transaction_id == transaction_id)
        return await self._fetch_all(
            query.order_by(meter_samples.c.timestamp, meter_samples.c.id).limit(limit).offset(offset)
        )

    # -- API tokens ------------------------------------------------------------------------

    async def add_api_token(
        self,
        *,
        token_id: str,
        name: str | None,
        token_hash: str,
        role: str,
        now: datetime,
        expires_at: datetime | None,
    ) -> None:
        async def op(conn: AsyncConnection) -> None:
            await conn.execute(
                insert(api_tokens).values(
                    id=token_id, name=name, token_hash=token_hash, role=role, created_at=now, expires_at=expires_at
                )
            )

        await self.writer.run(op)

    async def find_api_token(self, token_hash: str) -> Row | None:
        return await self._fetch_one(select(api_tokens).where(api_tokens.c.token_hash == token_hash))

    async def list_api_tokens(self) -> list[Row]:
        return await self._fetch_all(select(api_tokens).order_by(api_tokens.c.created_at))

    async def revoke_api_token(self, token_id: str, now: datetime) -> bool:
        async def op(conn: AsyncConnection) -> int:
            result = await conn.execute(
                update(api_tokens)
                .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            return int(result.rowcount)

        return await self.writer.run(op) > 0


def _run_after_commit(callbacks: list[AfterCommit]) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception:  # the write is committed; a failing publisher must not turn it into an error
            logging.getLogger(__name__).exception("after-commit callback failed")


@dataclass(frozen=True, slots=True)
class _Widen:
    station_id: str
    transaction_id: str
    lo: float
    hi: float
    samples: tuple[MeterSample, ...]
    now: datetime


class WidenSampledRanges:
    """Grouped write: widen sampled register ranges of running transactions in one executemany.

    Samples that arrive after a transaction ended (late offline replays) need the energy
    cross-check again: those few are found with one query and re-merged by the domain rule."""

    def __init__(self, for_update: Callable[[Select[Any]], Select[Any]]):
        t = transactions.c
        lo: BindParameter[float] = bindparam("w_lo", type_=Float)
        hi: BindParameter[float] = bindparam("w_hi", type_=Float)
        new_min = case((or_(t.sampled_min_wh.is_(None), t.sampled_min_wh > lo), lo), else_=t.sampled_min_wh)
        new_max = case((or_(t.sampled_max_wh.is_(None), t.sampled_max_wh < hi), hi), else_=t.sampled_max_wh)
        self._running = (
            update(transactions)
            .where(
                t.station_id == bindparam("w_sid"),
                t.transaction_id == bindparam("w_tx"),
                t.orphan.is_(False),
                t.active.is_(True),
            )
            .values(
                sampled_min_wh=new_min,
                sampled_max_wh=new_max,
                energy_wh=new_max - func.coalesce(t.meter_start_wh, new_min),
                updated_at=bindparam("w_now"),
            )
        )
        self._for_update = for_update
        self._raw = RawStatement(self._running, counted=True)  # the raw driver's executemany (see RawStatement)

    async def run(self, conn: AsyncConnection, items: list[Any]) -> list[Any]:
        widen: list[_Widen] = items
        rowcount = await self._raw.executemany(
            conn,
            [
                {"w_sid": w.station_id, "w_tx": w.transaction_id, "w_lo": w.lo, "w_hi": w.hi, "w_now": w.now}
                for w in widen
            ],
        )
        if rowcount == len(widen):
            # Every item updated a running transaction (the usual case): nothing ended to re-merge.
            # The statement is counted (on asyncpg too, see RawStatement); a driver that reports no
            # row count (-1) always takes the query below.
            return [None] * len(widen)
        keys = {(w.station_id, w.transaction_id) for w in widen}
        t = transactions.c
        ended = (
            (
                await conn.execute(
                    self._for_update(
                        select(transactions).where(
                            tuple_(t.station_id, t.transaction_id).in_(list(keys)),
                            t.orphan.is_(False),
                            t.active.is_(False),
                        )
                    )
                )
            )
            .mappings()
            .all()
        )
        for row in ended:
            state = _state_from_row(row)
            for w in widen:
                if (w.station_id, w.transaction_id) == (state.station_id, state.transaction_id):
                    state = merge_samples(state, w.samples)
            await conn.execute(
                update(transactions)
                .where(transactions.c.pk == row["pk"])
                .values(
                    sampled_min_wh=state.sampled_min_wh,
                    sampled_max_wh=state.sampled_max_wh,
                    energy_wh=state.energy_wh,
                    energy_mismatch=state.energy_mismatch,
                    energy_note=state.energy_note,
                    updated_at=widen[-1].now,
                )
            )
        return [None] * len(widen)


@dataclass(frozen=True, slots=True)
class _StatusWrite:
    key: dict[str, Any]  # station_id, evse_id, connector_id
    values: dict[str, Any]  # status, error_code, vendor_error_code, info, updated_at


class ConnectorStatuses:
    """Grouped write of connector statuses: one upsert per commit for all connectors, and one
    statement clearing the status faults of every connector that reports no error.

    A commit whose statuses include an error runs them one by one in arrival order instead
    (raising a fault reads the active ones first); errors are the rare case."""

    def __init__(self, dialect: str):
        columns = ("status", "error_code", "vendor_error_code", "info", "updated_at")
        ins = postgresql.insert(connectors) if dialect == "postgresql" else sqlite.insert(connectors)
        self._upsert = ins.on_conflict_do_update(
            index_elements=["station_id", "evse_id", "connector_id"],
            set_={column: ins.excluded[column] for column in columns},
        )
        f = faults.c
        self._clear = (
            update(faults)
            .where(
                f.station_id == bindparam("f_sid"),
                f.evse_id == bindparam("f_evse"),
                f.connector_id == bindparam("f_conn"),
                f.source == "status",
                f.cleared_at.is_(None),
            )
            .values(cleared_at=bindparam("f_at"))
        )

    async def run(self, conn: AsyncConnection, items: list[Any]) -> list[Any]:
        writes: list[_StatusWrite] = items
        # The last status of a connector in this commit is its state (one row per key: an
        # upsert may not touch the same row twice in one statement).
        latest = {tuple(w.key.values()): w.key | w.values for w in writes}
        await conn.execute(self._upsert, list(latest.values()))
        if any(Store._fault_code(w.values) is not None for w in writes):
            return [await Store._sync_status_faults(conn, w.key, w.values) for w in writes]
        await conn.execute(
            self._clear,
            [
                {
                    "f_sid": w.key["station_id"],
                    "f_evse": w.key["evse_id"],
                    "f_conn": w.key["connector_id"],
                    "f_at": w.values["updated_at"],
                }
                for w in writes
            ],
        )
        return [[] for _ in writes]
