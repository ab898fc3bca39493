"""The operations dashboard (static single-page app) and its extension."""
