"""The Alembic migrations create exactly the tables of store/schema.py, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from chargebridge.store.database import create_engine, migrate
from chargebridge.store.schema import metadata


def _diff(connection: Any) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def check(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate(engine)
        await migrate(engine)  # idempotent
        async with engine.connect() as conn:
            diff = await conn.run_sync(_diff)
        assert diff == [], diff
    finally:
        await engine.dispose()


async def test_migrations_match_schema_on_sqlite(tmp_path: Path) -> None:
    await check(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")


async def test_migrations_match_schema_on_postgresql(pg_schema_url: str) -> None:
    await check(pg_schema_url)
