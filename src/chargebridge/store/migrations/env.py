"""Alembic environment: runs on the connection chargebridge hands it (see store.database.migrate)."""

from __future__ import annotations

from alembic import context

from chargebridge.firmware import tables as _firmware_tables  # noqa: F401  (registers its tables)
from chargebridge.integrations import webhook_tables as _webhook_tables  # noqa: F401  (registers its tables)
from chargebridge.security import tables as _security_tables  # noqa: F401  (registers its tables)
from chargebridge.store.schema import metadata
from chargebridge.translate import tables as _translator_tables  # noqa: F401  (registers its tables)

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("chargebridge runs migrations itself: use `chargebridge migrate` or start the server")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
