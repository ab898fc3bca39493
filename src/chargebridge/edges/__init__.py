"""The ``edges`` capability: site controllers (``chargebridge edge``) as the server sees them.

Batches of samples and faults are applied once each by (edge id, seq) and published on the bus
like a station's meter samples; edges and their devices are listed like stations; commands and
diagnostics (a raw register read) are relayed to the edge and answered. See docs/edge.md.
"""
