"""Tables of the device model capability (created by migration 0007_device_model).

- ``device_model_variables``: what a station reported about itself, one row per variable
  attribute (2.0.1 component/variable/attribute; a 1.6 configuration key is a variable of the
  empty component). Missing parts of an address are stored as "" (instances) and 0 (EVSE,
  connector), so the address is the primary key.
- ``station_reports`` / ``report_parts``: every request the CSMS made that a station answers in
  numbered parts (GetBaseReport, GetReport, GetMonitoringReport, CustomerInformation,
  GetDisplayMessages; 1.6 GetConfiguration reports too), who asked, and each part received.
  The customer-information rows are the data-protection log of who asked for a customer's data.
- ``variable_monitors`` / ``station_monitoring``: the monitors a station has, its monitoring base and level.
- ``display_messages``: the messages a station shows.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Float, Index, Integer, String, Table, Text

from chargebridge.store.schema import TZ, BigId, metadata

device_model_variables = Table(
    "device_model_variables",
    metadata,
    Column("station_id", String(48), primary_key=True),
    Column("component", String(50), primary_key=True),  # "" = a 1.6 configuration key
    Column("component_instance", String(50), primary_key=True),  # "" = none
    Column("evse_id", Integer, primary_key=True),  # 0 = none
    Column("connector_id", Integer, primary_key=True),  # 0 = none
    Column("variable", String(50), primary_key=True),
    Column("variable_instance", String(50), primary_key=True),  # "" = none
    Column("attribute", String(8), primary_key=True),  # Actual | Target | MinSet | MaxSet
    Column("value", Text),  # None: not reported (WriteOnly, or a credential we do not keep)
    Column("mutability", String(10)),  # ReadOnly | WriteOnly | ReadWrite
    Column("persistent", Boolean),
    Column("constant", Boolean),
    Column("data_type", String(16)),
    Column("unit", String(16)),
    Column("min_limit", Float),
    Column("max_limit", Float),
    Column("values_list", Text),
    Column("supports_monitoring", Boolean),
    Column("source", String(8), nullable=False),  # report | get | set
    Column("report_id", BigInteger),  # the station_reports row that last listed it
    Column("updated_at", TZ, nullable=False),
    Index("ix_device_model_variables_variable", "station_id", "variable"),
)

station_reports = Table(
    "station_reports",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", String(48), nullable=False),
    Column("kind", String(16), nullable=False),  # device_model | monitoring | customer | display
    Column("request_id", Integer, nullable=False),  # the OCPP requestId
    Column("action", String(32), nullable=False),  # the CSMS message; "" for parts nobody asked for
    Column("parameters", JSON, nullable=False),
    Column("status", String(24)),  # the station's answer to the request
    Column("status_info", JSON),
    Column("state", String(16), nullable=False),  # requested | rejected | empty | receiving | complete | failed
    Column("parts", Integer, nullable=False),
    Column("items", Integer, nullable=False),
    Column("last_seq_no", Integer),  # the seqNo of the part with tbc false
    Column("result", JSON),  # customer information: {"data": the assembled text}
    Column("requested_by", String(100)),  # API token id
    Column("requested_by_name", String(100)),
    Column("requested_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
    Column("completed_at", TZ),
    Index("ux_station_reports_request", "station_id", "kind", "request_id", unique=True),
    Index("ix_station_reports_kind", "kind", "id"),
)

report_parts = Table(
    "report_parts",
    metadata,
    Column("report_id", BigInteger, primary_key=True),
    Column("seq_no", Integer, primary_key=True),
    Column("tbc", Boolean, nullable=False),
    Column("items", Integer, nullable=False),
    Column("data", Text),  # NotifyCustomerInformation: this part's text
    Column("generated_at", TZ),
    Column("received_at", TZ, nullable=False),
)

variable_monitors = Table(
    "variable_monitors",
    metadata,
    Column("station_id", String(48), primary_key=True),
    Column("monitor_id", Integer, primary_key=True),  # the station's id
    Column("component", String(50), nullable=False),
    Column("component_instance", String(50)),
    Column("evse_id", Integer),
    Column("connector_id", Integer),
    Column("variable", String(50), nullable=False),
    Column("variable_instance", String(50)),
    Column("type", String(24), nullable=False),
    Column("value", Float, nullable=False),
    Column("severity", Integer, nullable=False),
    Column("transaction_only", Boolean, nullable=False),
    Column("source", String(8), nullable=False),  # set | report
    Column("report_id", BigInteger),
    Column("updated_at", TZ, nullable=False),
)

station_monitoring = Table(
    "station_monitoring",
    metadata,
    Column("station_id", String(48), primary_key=True),
    Column("monitoring_base", String(16)),
    Column("monitoring_level", Integer),
    Column("updated_at", TZ, nullable=False),
)

display_messages = Table(
    "display_messages",
    metadata,
    Column("station_id", String(48), primary_key=True),
    Column("message_id", Integer, primary_key=True),
    Column("priority", String(16), nullable=False),
    Column("state", String(16)),
    Column("format", String(8), nullable=False),
    Column("language", String(8)),
    Column("content", Text, nullable=False),
    Column("start_at", TZ),
    Column("end_at", TZ),
    Column("transaction_id", String(36)),
    Column("display", JSON),  # the display component: {name, instance?, evse_id?, connector_id?}
    Column("source", String(8), nullable=False),  # set | report
    Column("report_id", BigInteger),
    Column("updated_at", TZ, nullable=False),
)
