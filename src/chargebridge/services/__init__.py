"""Business rules. Services never import the gateway, an adapter or a web framework."""
