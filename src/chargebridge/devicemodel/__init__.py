"""Device model, monitoring, customer information and display messages (OCPP 2.0.1 blocks B, N, O;
1.6 configuration keys): tables, store, services, routes and the extension that wires them."""
