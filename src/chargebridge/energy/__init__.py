"""Energy management: sites, grid connection limits, load balancing, grid-operator curtailment."""
