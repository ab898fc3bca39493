"""Tables of the webhooks integration (created by migration 0003_webhooks)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table

from chargebridge.store.schema import TZ, BigId, metadata

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("url", String(2048), nullable=False),
    Column("kinds", JSON, nullable=False),  # list of event kinds; empty = every kind
    Column("secret", String(255), nullable=False),  # needed in clear to sign; never returned after creation
    Column("description", String(255)),
    Column("enabled", Boolean, nullable=False),
    Column("created_at", TZ, nullable=False),
)

webhook_dead_letters = Table(
    "webhook_dead_letters",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column(
        "subscription_id",
        String(32),
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("event_id", String(36), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("station_id", String(48), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", String(255)),
    Column("failed_at", TZ, nullable=False),
    Index("ix_webhook_dead_letters_subscription", "subscription_id"),
)
