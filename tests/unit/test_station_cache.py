"""Issue 18, lever 7: the per-node cache of what a handshake reads of a station's row."""

from __future__ import annotations

from chargebridge.store.station_cache import StationCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


ROW = {"id": "CP1", "security_profile": 1, "password_hash": "h1", "registration_status": "Accepted", "vendor": "X"}


def test_fill_get_expire() -> None:
    clock = Clock()
    cache = StationCache(10.0, clock=clock)
    assert cache.get("CP1") is None
    cache.fill("CP1", ROW, cache.generation)
    got = cache.get("CP1")
    assert got is not None
    assert got["security_profile"] == 1 and got["password_hash"] == "h1" and got["boot_status"] is None
    assert "vendor" not in got  # only what the handshake needs is kept
    clock.now = 10.5
    assert cache.get("CP1") is None


def test_a_write_during_a_read_keeps_the_old_row_out() -> None:
    cache = StationCache(10.0)
    generation = cache.generation  # a read starts ...
    cache.invalidate("CP1")  # ... a write commits meanwhile ...
    cache.fill("CP1", ROW, generation)  # ... and the read's (old) row is not remembered
    assert cache.get("CP1") is None
    cache.fill("CP1", ROW, cache.generation)
    cache.invalidate("CP1")
    assert cache.get("CP1") is None


def test_ttl_zero_disables() -> None:
    cache = StationCache(0.0)
    cache.fill("CP1", ROW, cache.generation)
    assert cache.get("CP1") is None


def test_verified_passwords() -> None:
    clock = Clock()
    cache = StationCache(10.0, verified_ttl_s=300.0, clock=clock)
    assert not cache.verified("CP1", "secret", "h1")
    cache.remember_verified("CP1", "secret", "h1")
    assert cache.verified("CP1", "secret", "h1")
    assert not cache.verified("CP1", "other", "h1")  # another password
    assert not cache.verified("CP1", "secret", "h2")  # the stored hash changed
    assert not cache.verified("CP2", "secret", "h1")
    clock.now = 301
    assert not cache.verified("CP1", "secret", "h1")  # expired: argon2 again


def test_bounded() -> None:
    cache = StationCache(10.0, max_entries=2)
    for sid in ("A", "B", "C"):
        cache.fill(sid, {**ROW, "id": sid}, cache.generation)
    assert len(cache) == 2 and cache.get("A") is None


def test_update_keeps_the_entry_with_the_new_fields() -> None:
    cache = StationCache(10.0)
    cache.fill("CP1", ROW, cache.generation)
    generation = cache.generation
    cache.update("CP1", boot_status="Pending")  # a boot committed
    got = cache.get("CP1")
    assert got is not None and got["boot_status"] == "Pending" and got["password_hash"] == "h1"
    cache.fill("CP1", {**ROW, "boot_status": "Accepted"}, generation)  # a read from before the boot
    got = cache.get("CP1")
    assert got is not None and got["boot_status"] == "Pending"
    cache.update("CP2", boot_status="Accepted")  # not cached: nothing to update
    assert cache.get("CP2") is None
