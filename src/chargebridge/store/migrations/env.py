"""Alembic environment: runs on the connection chargebridge hands it (see store.database.migrate)."""

from __future__ import annotations

from alembic import context

from chargebridge.authorization import tables as _authorization_tables  # noqa: F401  (registers its tables)
from chargebridge.billing import tables as _billing_tables  # noqa: F401  (registers its tables)
from chargebridge.devicemodel import tables as _devicemodel_tables  # noqa: F401  (registers its tables)
from chargebridge.edges import tables as _edges_tables  # noqa: F401  (registers its tables)
from chargebridge.energy import tables as _energy_tables  # noqa: F401  (registers its tables)
from chargebridge.firmware import tables as _firmware_tables  # noqa: F401  (registers its tables)
from chargebridge.integrations import webhook_tables as _webhook_tables  # noqa: F401  (registers its tables)
from chargebridge.iso15118 import tables as _iso15118_tables  # noqa: F401  (registers its tables)
from chargebridge.retention import tables as _retention_tables  # noqa: F401  (registers its tables)
from chargebridge.security import tables as _security_tables  # noqa: F401  (registers its tables)
from chargebridge.smartcharging import tables as _smartcharging_tables  # noqa: F401  (registers its tables)
from chargebridge.store.schema import metadata
from chargebridge.translate import tables as _translator_tables  # noqa: F401  (registers its tables)

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("chargebridge runs migrations itself: use `chargebridge migrate` or start the server")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
