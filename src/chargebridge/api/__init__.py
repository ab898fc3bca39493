"""The operator REST API (FastAPI): a thin layer over the services and the gateway."""
