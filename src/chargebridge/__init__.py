"""chargebridge: connects EV chargers from any manufacturer to the systems around them."""

__version__ = "0.1.0"
