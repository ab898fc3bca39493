"""Transaction completeness (OCPP 2.0.1 E14): GetTransactionStatus, and the wait for the seqNos an
ended transaction is missing before it is finalised. See docs/architecture.md#transaction-finalisation."""
