"""Edge mode: a small Linux box on site that reads field devices and reports to a chargebridge server.

``chargebridge edge --config site.toml --upstream URL`` polls Modbus RTU/TCP meters and reads CAN
interfaces with the same register maps and DBC files a node uses (``integrations/modbus.py``,
``integrations/canbus.py``), writes every sample and fault to a durable outbox on local disk
(``outbox.py``) and sends it upstream in order (``uplinks.py``: https, mqtt, nats), answers the
server's commands and diagnostics (``commands.py``) and shows its state on a loopback status page
(``statuspage.py``, ``chargebridge edge status``). The wire format both sides share is
``protocol.py``; the server's side is the ``edges`` capability (``chargebridge/edges``).
See docs/edge.md.
"""
