"""The translating gateway: OCPP 1.6 stations on a 2.0.1 CSMS and 2.0.1 stations on a 1.6 CSMS (issue 13)."""
