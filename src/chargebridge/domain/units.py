"""Normalisation of sampled values to base units (Wh, varh, W, var, VA, A, V, Celsius, %, Hz)."""

from __future__ import annotations

# unit -> (base unit, factor)
_CONVERSIONS: dict[str, tuple[str, float]] = {
    "Wh": ("Wh", 1.0),
    "kWh": ("Wh", 1000.0),
    "varh": ("varh", 1.0),
    "kvarh": ("varh", 1000.0),
    "W": ("W", 1.0),
    "kW": ("W", 1000.0),
    "VA": ("VA", 1.0),
    "VAh": ("VAh", 1.0),
    "kVAh": ("VAh", 1000.0),
    "kVA": ("VA", 1000.0),
    "var": ("var", 1.0),
    "kvar": ("var", 1000.0),
    "A": ("A", 1.0),
    "V": ("V", 1.0),
    "Celsius": ("Celsius", 1.0),
    "Celcius": ("Celsius", 1.0),  # the OCPP 1.6 schema's own spelling
    "Percent": ("Percent", 1.0),
    "Hz": ("Hz", 1.0),
}


def default_unit(measurand: str) -> str:
    """The unit a sampled value has when the charger names none (OCPP defaults)."""
    if measurand.startswith("Energy.Reactive"):
        return "varh"
    if measurand.startswith("Energy.Apparent"):
        return "VAh"
    if measurand.startswith("Energy"):
        return "Wh"
    if measurand.startswith("Power.Reactive"):
        return "var"
    if measurand.startswith("Power.Factor"):
        return ""
    if measurand.startswith("Power"):
        return "W"
    if measurand.startswith("Current"):
        return "A"
    if measurand.startswith("Voltage"):
        return "V"
    if measurand == "SoC":
        return "Percent"
    if measurand == "Temperature":
        return "Celsius"
    if measurand == "Frequency":
        return "Hz"
    if measurand == "RPM":
        return "RPM"
    return ""


def normalise(value: float, unit: str | None, measurand: str, multiplier: int = 0) -> tuple[float, str]:
    """Return ``(value, unit)`` in the base unit. ``multiplier`` is the 2.0.1 power of ten."""
    if multiplier:
        value = value * (10.0**multiplier)
    unit = unit or default_unit(measurand)
    if unit == "K":
        return value - 273.15, "Celsius"
    if unit == "Fahrenheit":
        return (value - 32.0) * 5.0 / 9.0, "Celsius"
    base = _CONVERSIONS.get(unit)
    if base is None:
        return value, unit
    return value * base[1], base[0]
