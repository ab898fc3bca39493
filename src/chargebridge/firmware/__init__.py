"""Firmware lifecycle: image registry, compatibility matrix, OTA campaigns, diagnostics uploads."""
