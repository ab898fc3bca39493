"""Station simulator: simulated OCPP 1.6 / 2.0.1 charging stations, fleets, quirk profiles, ledger."""

from chargebridge.sim.clock import SimClock
from chargebridge.sim.firmware import FirmwareBatch, FirmwareFault
from chargebridge.sim.fleet import SCENARIOS, Fleet, SimConfig, run_fleet
from chargebridge.sim.ledger import LedgerEntry, LedgerWriter, Mismatch, read_ledger, reconcile
from chargebridge.sim.profiles import QuirkProfile, builtin_profile, builtin_profile_names, load_profile
from chargebridge.sim.station import Behaviour, SimStation, StationConfig
from chargebridge.sim.stats import FleetStats

__all__ = [
    "SCENARIOS",
    "Behaviour",
    "FirmwareBatch",
    "FirmwareFault",
    "Fleet",
    "FleetStats",
    "LedgerEntry",
    "LedgerWriter",
    "Mismatch",
    "QuirkProfile",
    "SimClock",
    "SimConfig",
    "SimStation",
    "StationConfig",
    "builtin_profile",
    "builtin_profile_names",
    "load_profile",
    "read_ledger",
    "reconcile",
    "run_fleet",
]
