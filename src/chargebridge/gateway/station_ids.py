"""What a station id in the URL may be."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote

MAX_STATION_ID_LENGTH = 48
OCPP_PATH_PREFIX = "/ocpp/"


class InvalidStationId(ValueError):
    pass


def parse_station_path(path: str, prefix: str = OCPP_PATH_PREFIX) -> str:
    """Return the percent-decoded station id of ``/ocpp/{id}`` or raise InvalidStationId."""
    path = path.split("?", 1)[0]
    if not path.startswith(prefix):
        raise InvalidStationId(f"path must be {prefix}{{station_id}}")
    raw = path[len(prefix) :]
    if not raw or "/" in raw:
        raise InvalidStationId("path must name exactly one station id")
    try:
        station_id = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise InvalidStationId("station id is not valid percent-encoded UTF-8") from None
    return validate_station_id(station_id)


def validate_station_id(station_id: str) -> str:
    """OCPP identities: at most 48 characters, no ':' (Basic auth separator), no control,
    separator or format characters, no path tricks."""
    if not station_id:
        raise InvalidStationId("station id is empty")
    if len(station_id) > MAX_STATION_ID_LENGTH:
        raise InvalidStationId(f"station id is longer than {MAX_STATION_ID_LENGTH} characters")
    if ":" in station_id:
        raise InvalidStationId("station id contains ':'")
    if station_id in (".", "..") or "/" in station_id or "\\" in station_id:
        raise InvalidStationId("station id contains a path separator")
    for char in station_id:
        category = unicodedata.category(char)
        if category[0] in ("C", "Z"):
            raise InvalidStationId("station id contains control or whitespace characters")
    if unicodedata.normalize("NFKC", station_id) != station_id:
        # Fullwidth letters, ligatures, compatibility digits ...: an id that would look like (or
        # normalise to) another station's id is refused rather than silently told apart.
        raise InvalidStationId("station id is not in Unicode NFKC form (look-alike characters)")
    return station_id
