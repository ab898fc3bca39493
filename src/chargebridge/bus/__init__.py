"""Event bus: domain events fan out to subscribers without ever blocking the publisher."""
