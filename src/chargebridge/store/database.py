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

from sqlalchemy import CursorResult, Engine, Executable, Table, event, insert, make_url, text
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from chargebridge.histogram import LatencyHistogram
from chargebridge.tasks import cancel_and_wait

log = logging.getLogger(__name__)

T = TypeVar("T")
WriteOp = Callable[[AsyncConnection], Awaitable[T]]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{data_dir / 'chargebridge.db'}"


def create_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        # A fixed pool: opening an SQLite connection (a thread, the file, the PRAGMAs) costs far
        # more than a read, so connections are kept and never opened beyond the pool (overflow
        # connections were opened and closed again in every connect burst). Readers beyond the
        # pool wait for one; writes go through the one writer task.
        engine = create_async_engine(url, pool_size=10, max_overflow=0, pool_timeout=60)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas(busy_timeout_ms=10_000))
        return engine
    parsed = make_url(url)
    connect_args: dict[str, Any] = {}
    schema = parsed.query.get("schema")
    if isinstance(schema, str):  # ?schema=NAME keeps chargebridge's tables in their own PostgreSQL schema
        parsed = parsed.difference_update_query(["schema"])
        connect_args["server_settings"] = {"search_path": schema}
    return create_async_engine(
        parsed, pool_size=20, max_overflow=0, pool_timeout=60, pool_pre_ping=True, connect_args=connect_args
    )


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


class InsertRows:
    """Grouped multi-row INSERT into one table; each item is a list of rows."""

    def __init__(self, table: Table):
        self._statement = insert(table)

    async def run(self, conn: AsyncConnection, items: list[Any]) -> list[Any]:
        rows = [row for item in items for row in item]
        if rows:
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


@dataclass(slots=True)
class WriterStats:
    commits: int = 0
    ops: int = 0
    retries: int = 0
    failures: int = 0
    last_commit_ms: float = 0.0
    commit_latency: LatencyHistogram = field(default_factory=LatencyHistogram)


class StoreUnavailable(Exception):
    """The database could not be reached within the retry window; nothing was acknowledged."""


class GroupCommitWriter:
    """Runs write operations in shared transactions, resolving each caller after COMMIT.

    A batch whose transaction fails is retried one operation at a time, so one bad
    operation fails alone. Connection-level failures (database gone) are retried with
    back-off for ``retry_window_s`` before the callers get :class:`StoreUnavailable`.
    """

    def __init__(self, engine: AsyncEngine, *, max_batch: int = 500, retry_window_s: float = 20.0):
        self._engine = engine
        self._max_batch = max_batch
        self._retry_window_s = retry_window_s
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._conn: AsyncConnection | None = None
        self._inline = _inline_sqlite_engine(engine) if engine.dialect.name == "sqlite" else None
        self._checkpointer: asyncio.Task[None] | None = None
        self._commits_at_checkpoint = 0
        self.stats = WriterStats()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="group-commit-writer")
        if self._inline is not None and self._checkpointer is None:
            self._checkpointer = asyncio.create_task(self._checkpoint_loop(), name="sqlite-checkpoint")

    async def stop(self) -> None:
        if self._task is not None:
            await self._queue.join()  # everything queued is committed (or failed) first
            await cancel_and_wait(self._task)
            self._task = None
        if self._checkpointer is not None:
            await cancel_and_wait(self._checkpointer)
            self._checkpointer = None
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None
        if self._inline is not None:
            self._inline.dispose()

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

    async def run(self, op: WriteOp[T]) -> T:
        """Run ``op`` inside a write transaction; returns once that transaction committed."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Job(op, future))
        return await future

    async def run_grouped(self, group: GroupedWrite, item: Any) -> Any:
        """Queue one item of a grouped write; returns its result after COMMIT."""
        return await self.submit_grouped(group, item)

    def submit_grouped(self, group: GroupedWrite, item: Any) -> asyncio.Future[Any]:
        """Queue one item of a grouped write now; the future resolves after COMMIT (a caller that
        writes behind holds it instead of awaiting it at once)."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Job(None, future, group, item))
        return future

    async def _loop(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._commit_batch(batch)
            for _ in batch:
                self._queue.task_done()

    async def _commit_batch(self, batch: list[_Job]) -> None:
        try:
            results = await self._with_retry(lambda: self._execute(batch))
        except StoreUnavailable as exc:
            for job in batch:
                if not job.future.done():
                    job.future.set_exception(exc)
            return
        except Exception as exc:
            if len(batch) == 1:
                self.stats.failures += 1
                if not batch[0].future.done():
                    batch[0].future.set_exception(exc)
                return
            for job in batch:  # isolate the failing operation
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
                await conn.invalidate()
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

    async def _with_retry(self, attempt: Callable[[], Awaitable[list[Any]]]) -> list[Any]:
        deadline = time.monotonic() + self._retry_window_s
        delay = 0.1
        while True:
            try:
                return await attempt()
            except (OperationalError, DBAPIError, OSError) as exc:
                if not (_is_connection_error(exc) or _is_locked(exc)):
                    raise
                if time.monotonic() + delay > deadline:
                    raise StoreUnavailable("database unreachable") from exc
                self.stats.retries += 1
                log.warning("database unreachable, retrying in %.1f s: %s", delay, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)


_CONNECTION_ERROR_NAMES = frozenset(
    {
        "ConnectionDoesNotExistError",
        "CannotConnectNowError",
        "ConnectionFailureError",
        "InterfaceError",
        "AdminShutdownError",
        "CrashShutdownError",
        "TooManyConnectionsError",
    }
)


def _is_locked(exc: BaseException) -> bool:
    """SQLite: another process (a CLI command) holds the write lock; waiting is done by retrying."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


def _is_connection_error(exc: BaseException) -> bool:
    """True when the database (not the statement) failed: worth retrying the whole batch."""
    if isinstance(exc, OSError | ConnectionError):
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
