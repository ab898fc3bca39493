"""Retention of meter samples: raw samples older than ``meter_retention_days`` are folded into
per-session, per-hour aggregates (``meter_aggregates``) and deleted, in small batches, by a
background job whose progress /metrics reports. See docs/operations.md."""
