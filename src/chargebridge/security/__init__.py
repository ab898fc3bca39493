"""Credentials: station passwords and operator API tokens."""
