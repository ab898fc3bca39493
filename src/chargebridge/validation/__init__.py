"""The validation bench: grades a charger's OEM integration level (Basic / Standard / Advanced)
from what it does, not from what it answers (see docs/validation.md)."""
