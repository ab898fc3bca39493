"""Version-neutral domain: values, station requests, operator commands, transaction rules."""
