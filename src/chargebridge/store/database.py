"""Engine set-up, migrations and the group-commit writer.

Durability guarantee (see docs/adr/0002-storage-guarantees.md): every write that
acknowledges a station message goes through :class:`GroupCommitWriter.run`, which returns
only after the database transaction holding it has committed. Concurrent writes share one
commit (group commit), so a thousand meter messages a second cost tens of commits, not a
thousand, while no CALLRESULT is ever sent for data that is not yet durable.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy import CursorResult, Dialect, Engine, Executable, Table, event, insert, literal_column, make_url, text
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.dml import UpdateBase

from chargebridge.histogram import LatencyHistogram
from chargebridge.store.health import DatabaseHealth
from chargebridge.tasks import ExpectedFailure, cancel_and_wait

log = logging.getLogger(__name__)

T = TypeVar("T")
WriteOp = Callable[[AsyncConnection], Awaitable[T]]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MAX_LINGER_S = 0.002


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{data_dir / 'chargebridge.db'}"


@dataclass(frozen=True, slots=True)
class DatabaseTimeouts:
    """Time limits on every database wait (PostgreSQL; SQLite has no network to hang on).

    ``connect_s`` bounds opening a connection (TCP and the start-up exchange), ``statement_s`` each
    statement (asyncpg's ``command_timeout`` on our side, ``statement_timeout`` on the server's)
    and ``pool_s`` the wait for a pooled connection. Together they turn a hung database into
    errors within seconds instead of silence. ``None`` values: no limit (migrations).
    """

    connect_s: float | None = 5.0
    statement_s: float | None = 15.0
    pool_s: float = 5.0

    @property
    def read_s(self) -> float:
        """Whole-read bound used by the store's reads: checkout, ping, connect and the statement."""
        return (self.statement_s or 15.0) + (self.connect_s or 5.0)


NO_TIMEOUTS = DatabaseTimeouts(connect_s=None, statement_s=None, pool_s=60.0)


def create_engine(url: str, timeouts: DatabaseTimeouts | None = None, *, pooled: bool = True) -> AsyncEngine:
    """The engine of ``url``. ``pooled=False``: a connection per use (the health probe, migrations)."""
    timeouts = timeouts or DatabaseTimeouts()
    if url.startswith("sqlite"):
        # A fixed pool: opening an SQLite connection (a thread, the file, the PRAGMAs) costs far
        # more than a read, so connections are kept and never opened beyond the pool (overflow
        # connections were opened and closed again in every connect burst). Readers beyond the
        # pool wait for one; writes go through the one writer task.
        engine = create_async_engine(url, pool_size=10, max_overflow=0, pool_timeout=max(timeouts.pool_s, 60))
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(busy_timeout_ms=10_000))
        return engine
    parsed = make_url(url)
    connect_args: dict[str, Any] = {}
    server_settings: dict[str, str] = {}
    schema = parsed.query.get("schema")
    if isinstance(schema, str):  # ?schema=NAME keeps chargebridge's tables in their own PostgreSQL schema
        parsed = parsed.difference_update_query(["schema"])
        server_settings["search_path"] = schema
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() == "asyncpg":
        if timeouts.connect_s is not None:
            connect_args["timeout"] = timeouts.connect_s
        if timeouts.statement_s is not None:
            connect_args["command_timeout"] = timeouts.statement_s
            # The server ends a statement of ours that runs longer too (and frees its locks), a
            # second later than the client gives up, so the client's own limit normally fires first.
            server_settings["statement_timeout"] = str(int((timeouts.statement_s + 1) * 1000))
    if server_settings:
        connect_args["server_settings"] = server_settings
    if not pooled:
        engine = create_async_engine(parsed, poolclass=NullPool, connect_args=connect_args)
    else:
        engine = create_async_engine(
            parsed,
            pool_size=20,
            max_overflow=0,
            pool_timeout=timeouts.pool_s,
            pool_pre_ping=True,
            connect_args=connect_args,
        )
    if parsed.get_driver_name() == "asyncpg":
        _abort_invalidated_connections(engine)
    return engine


def _abort_invalidated_connections(engine: AsyncEngine) -> None:
    """A connection SQLAlchemy invalidates (it failed, timed out or was cancelled) is aborted at
    once. SQLAlchemy's asyncpg adapter first tries a polite close for up to 2 s, and a hung
    database turns each of those into a 2 s stall of whoever invalidated it (a read that was
    already out of time, the writer about to retry)."""

    def do_terminate(dbapi_connection: Any) -> None:
        dbapi_connection.driver_connection.terminate()  # asyncpg: close the socket, no goodbye

    engine.sync_engine.dialect.do_terminate = do_terminate  # type: ignore[method-assign]


def probe_for(
    url: str, engine: AsyncEngine, timeouts: DatabaseTimeouts
) -> tuple[Callable[[], Awaitable[None]], AsyncEngine | None]:
    """The health probe (``SELECT 1``) and the engine it owns, if any. PostgreSQL: a fresh
    connection each time (a pooled one could hide a dead network behind a busy pool); SQLite:
    the pool."""
    probe_engine = None if url.startswith("sqlite") else create_engine(url, timeouts, pooled=False)
    target = probe_engine or engine

    async def probe() -> None:
        async with target.connect() as conn:
            await conn.execute(text("SELECT 1"))

    return probe, probe_engine


def _sqlite_pragmas(*, busy_timeout_ms: int, autocheckpoint: bool = True) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes in WAL mode
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        if not autocheckpoint:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    return on_connect


def _inline_sqlite_engine(engine: AsyncEngine) -> Engine:
    """The writer's SQLite connection, driven on the event loop itself (the plain sqlite3 driver).

    A commit's statements take microseconds in SQLite; handing each of them to aiosqlite's
    thread and back (a queue, a thread switch and a self-pipe wake-up per statement) cost
    several times the work itself. The writer's connection therefore runs inline. It never
    waits long: its busy timeout is short (a lock held by another process is retried by the
    writer, asynchronously) and it never checkpoints the WAL itself (see ``checkpoint``)."""
    url = engine.url.set(drivername="sqlite+pysqlite")
    inline = create_sync_engine(url, pool_size=1, max_overflow=0)
    event.listen(inline, "connect", _sqlite_pragmas(busy_timeout_ms=50, autocheckpoint=False))
    return inline


class _InlineConnection(AsyncConnection):
    """An AsyncConnection over a synchronous sqlite3 connection: statements run at once, on the
    calling thread, instead of going through a greenlet to an async driver."""

    __slots__ = ()

    async def execute(
        self, statement: Executable, parameters: Any = None, *, execution_options: Any = None
    ) -> CursorResult[Any]:
        return self._proxied.execute(statement, parameters, execution_options=execution_options)


def _run_upgrade(connection: Any) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest Alembic revision."""
    async with engine.begin() as conn:
        await conn.run_sync(_run_upgrade)


class GroupedWrite(Protocol):
    """A write many callers make with different parameters: all of one commit run together
    (one executemany instead of one statement each). ``run`` returns one result per item."""

    async def run(self, conn: AsyncConnection, items: list[Any]) -> list[Any]: ...


class RawStatement:
    """One SQLAlchemy statement run with ``executemany`` on the raw driver (sqlite3, asyncpg).

    The hot writes (meter samples, station events, last-seen times) are many rows of the same
    statement per commit. SQLAlchemy's per-statement path (compile cache lookup, parameter
    processing per row into dicts, result set-up, asyncpg's adapter and its greenlet hand-offs)
    cost more than the driver's own work. Here the statement is compiled once per dialect into
    the driver's SQL, the column types' bind processors (datetimes, JSON) are looked up once, and
    each row becomes a tuple for the driver's ``executemany``: sqlite3's on the writer's inline
    connection, asyncpg's (one pipelined round trip, statement prepared once per connection) on
    the writer's connection, inside the transaction the writer opened. Errors come back as
    SQLAlchemy's ``DBAPIError`` so that the writer classifies them exactly as before (connection
    lost -> retried; a bad row -> the batch is split). Other drivers take SQLAlchemy's path."""

    def __init__(self, statement: UpdateBase, keys: list[str] | None = None, *, counted: bool = False):
        self._statement = statement
        self._keys = keys  # INSERT: the columns given (the rest take NULL); None: the statement's binds
        # counted: executemany returns the rows changed on asyncpg too (its executemany reports
        # none): the statement gets RETURNING 1 there and runs with asyncpg's fetchmany, pipelined
        # like executemany, one returned row per changed row.
        self._counted = counted
        self._compiled: dict[str, tuple[str, list[tuple[str, Callable[[Any], Any] | None]]] | None] = {}
        self.raw_calls = 0  # executemany calls that took the raw driver (tests check the path is used)

    def _plan(self, dialect: Dialect) -> tuple[str, list[tuple[str, Callable[[Any], Any] | None]]] | None:
        if dialect.name not in self._compiled:
            plan: tuple[str, list[tuple[str, Callable[[Any], Any] | None]]] | None = None
            if dialect.driver in ("pysqlite", "asyncpg"):
                statement = self._statement
                if self._counted and dialect.driver == "asyncpg":
                    statement = statement.returning(literal_column("1"))
                compiled = statement.compile(dialect=dialect, column_keys=self._keys)
                names = list(compiled.positiontup or ())
                if names:
                    binds = {bind.key: bind for bind in compiled.binds.values()}
                    order: list[tuple[str, Callable[[Any], Any] | None]] = []
                    for name in names:
                        bind_type = binds[name].type
                        order.append((name, bind_type.dialect_impl(dialect).bind_processor(dialect)))
                    plan = (compiled.string, order)
            self._compiled[dialect.name] = plan
        return self._compiled[dialect.name]

    async def executemany(self, conn: AsyncConnection, rows: list[dict[str, Any]]) -> int:
        """Run the statement once per row; the rows it changed in all (-1: the driver does not say)."""
        sync = conn.sync_connection
        # the dialect of the connection itself: the writer's inline SQLite connection is pysqlite
        dialect = sync.dialect if sync is not None else conn.dialect
        plan = self._plan(dialect) if sync is not None and dialect.driver in ("pysqlite", "asyncpg") else None
        if plan is None or sync is None:
            return int((await conn.execute(self._statement, rows)).rowcount)
        self.raw_calls += 1
        sql, order = plan
        params = [tuple(row.get(name) if proc is None else proc(row.get(name)) for name, proc in order) for row in rows]
        fairy = sync.connection
        if dialect.driver == "pysqlite":
            return _sqlite_executemany(fairy.driver_connection, sql, params)
        adapted = fairy.dbapi_connection
        if not all(hasattr(adapted, name) for name in _ASYNCPG_ADAPTER_PARTS):  # another SQLAlchemy
            return int((await conn.execute(self._statement, rows)).rowcount)
        if self._counted:
            return len(await _asyncpg_executemany(adapted, sql, params, fetch=True))
        await _asyncpg_executemany(adapted, sql, params)
        return -1  # asyncpg's executemany reports no row count


def _sqlite_executemany(driver: Any, sql: str, params: list[tuple[Any, ...]]) -> int:
    import sqlite3

    try:
        return int(driver.executemany(sql, params).rowcount)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, None, exc, sqlite3.Error) from exc


# What _asyncpg_executemany uses of SQLAlchemy's asyncpg adapter (checked, not assumed).
_ASYNCPG_ADAPTER_PARTS = ("_execute_mutex", "_transaction", "_start_transaction", "_connection")


async def _asyncpg_executemany(
    adapted: Any, sql: str, params: list[tuple[Any, ...]], *, fetch: bool = False
) -> list[Any]:
    # The asyncpg connection under SQLAlchemy's adapter: the adapter's lock, and its transaction
    # (begun here if this is the first statement of the commit, exactly as its cursor would).
    # fetch: asyncpg's fetchmany (the rows each run returned, all in one list).
    try:
        async with adapted._execute_mutex:
            if adapted._transaction is None:
                await adapted._start_transaction()
            if fetch:
                return list(await adapted._connection.fetchmany(sql, params))
            await adapted._connection.executemany(sql, params)
            return []
    except DBAPIError:
        raise
    except OSError:  # TimeoutError (command_timeout) and lost sockets: the writer retries
        raise
    except Exception as exc:
        connection_lost = type(exc).__name__ in _CONNECTION_ERROR_NAMES or (
            hasattr(adapted, "_connection") and adapted._connection.is_closed()
        )
        raise DBAPIError(sql, None, exc, connection_invalidated=connection_lost) from exc


class InsertRows:
    """Grouped multi-row INSERT into one table; each item is a list of rows (raw driver, see
    :class:`RawStatement`, when no column has a default SQLAlchemy would have to fill in)."""

    def __init__(self, table: Table):
        self._statement = insert(table)
        keys = [c.key for c in table.columns if not (c.primary_key and c.autoincrement in (True, "auto"))]
        defaults = any(c.default is not None or c.server_default is not None for c in table.columns if c.key in keys)
        self._raw = None if defaults else RawStatement(self._statement, keys)

    async def run(self, conn: AsyncConnection, items: list[Any]) -> list[Any]:
        rows = [row for item in items for row in item]
        if rows:
            if self._raw is not None:
                await self._raw.executemany(conn, rows)
            else:
                await conn.execute(self._statement, rows)
        return [None] * len(items)


class ExecuteMany:
    """Grouped write of one prepared statement; each item is one parameter dict."""

    def __init__(self, statement: Executable):
        self._statement = statement

    async def run(self, conn: AsyncConnection, items: list[Any]) -> list[Any]:
        await conn.execute(self._statement, items)
        return [None] * len(items)


@dataclass(slots=True)
class _Job:
    op: WriteOp[Any] | None
    future: asyncio.Future[Any]
    group: GroupedWrite | None = None
    item: Any = None
    deadline: float = 0.0  # monotonic: the caller gets StoreUnavailable if not committed by then
    refused: bool = False  # its caller got StoreUnavailable: never run it afterwards


@dataclass(slots=True)
class WriterStats:
    commits: int = 0
    ops: int = 0
    retries: int = 0
    failures: int = 0
    unavailable: int = 0  # operations refused with StoreUnavailable (retry window over, or shutdown)
    last_commit_ms: float = 0.0
    commit_latency: LatencyHistogram = field(default_factory=LatencyHistogram)


class StoreUnavailable(ExpectedFailure):
    """The database could not be reached within the retry window (or a read failed for a
    connection-level reason); nothing was acknowledged. The outage itself is logged once by
    :class:`~chargebridge.store.health.DatabaseHealth`."""


class GroupCommitWriter:
    """Runs write operations in shared transactions, resolving each caller after COMMIT.

    A batch whose transaction fails is retried one operation at a time, so one bad
    operation fails alone. Connection-level failures (database gone, or not answering within
    the statement/connect time limits) are retried with back-off; each operation has its own
    deadline, ``retry_window_s`` after it was queued, and its caller gets
    :class:`StoreUnavailable` when it passes, whatever the database does meanwhile (an attempt
    still running at the deadline is abandoned: no caller ever waits longer than the window).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        max_batch: int = 500,
        retry_window_s: float = 20.0,
        health: DatabaseHealth | None = None,
        linger_s: float = 0.0,
    ):
        self._engine = engine
        self._max_batch = max_batch
        # After the first write of a batch arrives, wait this long (<= 2 ms) for more, so that one
        # commit carries many messages at moderate load instead of one commit per message.
        self._linger_s = min(max(linger_s, 0.0), MAX_LINGER_S)
        self._retry_window_s = retry_window_s
        self.health = health
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._batch: list[_Job] = []
        self._conn: AsyncConnection | None = None
        self._inline = _inline_sqlite_engine(engine) if engine.dialect.name == "sqlite" else None
        self._checkpointer: asyncio.Task[None] | None = None
        self._commits_at_checkpoint = 0
        self.stats = WriterStats()

    @property
    def retry_window_s(self) -> float:
        return self._retry_window_s

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="group-commit-writer")
        if self._inline is not None and self._checkpointer is None:
            self._checkpointer = asyncio.create_task(self._checkpoint_loop(), name="sqlite-checkpoint")

    async def stop(self, timeout_s: float | None = None) -> bool:
        """Commit everything queued, waiting at most ``timeout_s`` (None: as long as it takes, each
        operation still bounded by its retry window); then whatever is left is refused with
        :class:`StoreUnavailable` (its caller never got an acknowledgement). True if all committed."""
        drained = True
        if self._task is not None:
            try:
                async with asyncio.timeout(timeout_s):
                    await self._queue.join()  # everything queued is committed (or failed) first
            except TimeoutError:
                drained = False
                log.warning(
                    "database writer: %d write(s) not committed within the shutdown limit; refused",
                    len(self._batch) + self._queue.qsize(),
                )
            await cancel_and_wait(self._task, timeout_s=2.0)
            self._task = None
            self._refuse([*self._batch, *self._drain_queue()], StoreUnavailable("shutting down"))
            self._batch = []
        if self._checkpointer is not None:
            await cancel_and_wait(self._checkpointer, timeout_s=2.0)
            self._checkpointer = None
        if self._conn is not None:
            conn, self._conn = self._conn, None
            if drained:
                with contextlib.suppress(Exception):
                    async with asyncio.timeout(2.0):
                        await conn.close()
            else:  # the database may be hanging: drop the socket instead of saying goodbye
                with contextlib.suppress(Exception):
                    await conn.invalidate()
        if self._inline is not None:
            self._inline.dispose()
        return drained

    def _drain_queue(self) -> list[_Job]:
        jobs = []
        while not self._queue.empty():
            jobs.append(self._queue.get_nowait())
            self._queue.task_done()
        return jobs

    def _refuse(self, jobs: list[_Job], exc: StoreUnavailable) -> None:
        for job in jobs:
            job.refused = True
            if not job.future.done():
                self.stats.unavailable += 1
                if self.health is not None:
                    self.health.refused_writes += 1
                job.future.set_exception(exc)

    async def checkpoint(self) -> None:
        """Copy the SQLite WAL into the database file, off the event loop (a pooled aiosqlite
        connection's thread). PASSIVE: never waits for readers or the writer."""
        async with self._engine.connect() as conn:
            await conn.execute(text("PRAGMA wal_checkpoint(PASSIVE)"))

    async def _checkpoint_loop(self, every_s: float = 1.0) -> None:
        while True:
            await asyncio.sleep(every_s)
            if self.stats.commits == self._commits_at_checkpoint:
                continue
            self._commits_at_checkpoint = self.stats.commits
            try:
                await self.checkpoint()
            except Exception as exc:  # the next round tries again; the WAL only grows meanwhile
                log.warning("SQLite WAL checkpoint failed: %s", exc)

    @property
    def backlog(self) -> int:
        return self._queue.qsize()

    def _job(self, op: WriteOp[Any] | None, group: GroupedWrite | None = None, item: Any = None) -> _Job:
        future = asyncio.get_running_loop().create_future()
        if self._task is None:
            raise StoreUnavailable("the database writer is not running")
        job = _Job(op, future, group, item, time.monotonic() + self._retry_window_s)
        self._queue.put_nowait(job)
        return job

    async def run(self, op: WriteOp[T]) -> T:
        """Run ``op`` inside a write transaction; returns once that transaction committed."""
        result: T = await self._job(op).future
        return result

    async def run_grouped(self, group: GroupedWrite, item: Any) -> Any:
        """Queue one item of a grouped write; returns its result after COMMIT."""
        return await self.submit_grouped(group, item)

    def submit_grouped(self, group: GroupedWrite, item: Any) -> asyncio.Future[Any]:
        """Queue one item of a grouped write now; the future resolves after COMMIT (a caller that
        writes behind holds it instead of awaiting it at once)."""
        return self._job(None, group, item).future

    async def _loop(self) -> None:
        while True:
            batch = [await self._queue.get()]
            if self._linger_s and self._queue.qsize() < self._max_batch:
                await asyncio.sleep(self._linger_s)
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            self._batch = batch
            try:
                await self._commit_batch(batch)
            finally:
                self._batch = []
                for _ in batch:
                    self._queue.task_done()

    async def _commit_batch(self, batch: list[_Job]) -> None:
        try:
            batch, results = await self._with_retry(batch)
        except StoreUnavailable as exc:
            self._refuse(batch, exc)
            return
        except Exception as exc:
            if len(batch) == 1:
                self.stats.failures += 1
                if not batch[0].future.done():
                    batch[0].future.set_exception(exc)
                return
            for job in batch:  # isolate the failing operation
                if not job.refused:
                    await self._commit_batch([job])
            return
        for job, result in zip(batch, results, strict=True):
            if not job.future.done():
                job.future.set_result(result)

    async def _execute(self, batch: list[_Job]) -> list[Any]:
        started = time.perf_counter()
        conn = await self._connection()
        try:
            async with conn.begin():
                results = await self._run_batch(conn, batch)
        except BaseException:
            await self._drop_connection()  # a failed connection is not reused; a fresh one is cheap
            raise
        self.stats.commits += 1
        self.stats.ops += len(batch)
        elapsed = time.perf_counter() - started
        self.stats.last_commit_ms = elapsed * 1000
        self.stats.commit_latency.observe(elapsed)
        return results

    async def _connection(self) -> AsyncConnection:
        """The writer's own connection, kept across commits (no pool checkout or reset per commit)."""
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            if self._inline is not None:
                self._conn = _InlineConnection(self._engine, self._inline.connect())
            else:
                self._conn = await self._engine.connect()
        return self._conn

    async def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.invalidate()  # aborted at once (see _abort_invalidated_connections)
            with contextlib.suppress(Exception):
                await conn.close()

    async def _run_batch(self, conn: AsyncConnection, batch: list[_Job]) -> list[Any]:
        results: list[Any] = [None] * len(batch)
        grouped: dict[GroupedWrite, list[int]] = {}
        for index, job in enumerate(batch):
            if job.op is None:
                assert job.group is not None
                grouped.setdefault(job.group, []).append(index)
            else:
                results[index] = await job.op(conn)
        for group, indexes in grouped.items():
            answers = await group.run(conn, [batch[i].item for i in indexes])
            for i, answer in zip(indexes, answers, strict=True):
                results[i] = answer
        return results

    async def _with_retry(self, batch: list[_Job]) -> tuple[list[_Job], list[Any]]:
        """Commit ``batch``, retrying connection-level failures until each job's deadline. Jobs
        whose deadline passed are refused and left out of the next attempt. Returns the jobs that
        were committed and their results."""
        delay = 0.1
        while True:
            now = time.monotonic()
            expired = [job for job in batch if job.deadline <= now]
            if expired:
                self._refuse(expired, StoreUnavailable("database unreachable"))
                batch = [job for job in batch if job.deadline > now]
            if not batch:
                raise StoreUnavailable("database unreachable")
            attempt_started = time.monotonic()
            try:
                # an attempt that outlives the earliest deadline is abandoned (its connection dropped)
                async with asyncio.timeout_at(_loop_time_of(min(job.deadline for job in batch))):
                    results = await self._execute(batch)
            except (OperationalError, DBAPIError, OSError, PoolTimeout) as exc:  # TimeoutError is an OSError
                if not is_unavailable(exc):
                    raise
                self._report_failure(exc, attempt_started)
            else:
                if self.health is not None:
                    self.health.succeeded()
                return batch, results
            earliest = min(job.deadline for job in batch)
            self.stats.retries += 1
            await asyncio.sleep(max(0.0, min(delay, earliest - time.monotonic())))
            delay = min(delay * 2, 2.0)

    def _report_failure(self, exc: BaseException, started: float) -> None:
        # Logged once per outage by DatabaseHealth; each retry only at DEBUG.
        log.debug("database write failed (retrying within the retry window): %s", exc)
        if self.health is not None and not _is_locked(exc):
            self.health.failed(exc, started)


def _loop_time_of(monotonic_deadline: float) -> float:
    """A ``time.monotonic()`` deadline on the event loop's clock (for ``asyncio.timeout_at``)."""
    return asyncio.get_running_loop().time() + (monotonic_deadline - time.monotonic())


_CONNECTION_ERROR_NAMES = frozenset(
    {
        "ConnectionDoesNotExistError",
        "CannotConnectNowError",
        "ConnectionFailureError",
        "InterfaceError",
        "AdminShutdownError",
        "CrashShutdownError",
        "TooManyConnectionsError",
        "QueryCanceledError",  # the server's statement_timeout, or an operator's pg_cancel_backend
    }
)


def _is_locked(exc: BaseException) -> bool:
    """SQLite: another process (a CLI command) holds the write lock; waiting is done by retrying."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


def is_unavailable(exc: BaseException) -> bool:
    """True when the database (not the statement) failed: lost, refused or timed-out connection,
    no pooled connection in time, SQLite locked by another process. Classified by type, never by
    message text (which may hold data), except SQLite's "database is locked"."""
    if isinstance(exc, StoreUnavailable | PoolTimeout):
        return True
    return _is_connection_error(exc) or _is_locked(exc)


def _is_connection_error(exc: BaseException) -> bool:
    """True when the database (not the statement) failed: worth retrying the whole batch."""
    if isinstance(exc, OSError | ConnectionError):  # TimeoutError (asyncpg's time limits) is an OSError
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        orig = exc.orig
        if isinstance(orig, OSError | ConnectionError):
            return True
        cause = getattr(orig, "__cause__", None)
        names = {type(orig).__name__, type(cause).__name__ if cause is not None else ""}
        if names & _CONNECTION_ERROR_NAMES:
            return True
        # SQLite: another process holds the write lock longer than busy_timeout
        return "database is locked" in str(orig)
    return False
