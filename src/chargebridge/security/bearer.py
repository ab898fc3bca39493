"""Refused API bearer tokens: counted, logged and throttled per source address (in memory, per node).

:class:`BearerGuard` is what the API's authentication asks before it looks a token up
(``retry_after``: is this address locked out?) and tells when it refuses one (``refused``).
A missing header is counted but neither logged above DEBUG nor held against the address: it
guesses nothing. A wrong token (unknown, revoked or expired) is logged at WARNING with the
source address, the method and the path - never the token - and counts towards the address's
limit; at ``limit`` failures within ``window_s`` the address gets HTTP 429 with ``Retry-After``
on every ``/api`` request, right tokens included, for ``lockout_s``. The counters are exported
by the metrics extension (``chargebridge_api_auth_*``).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Final

from chargebridge.security.ratelimit import FailureLimiter

log = logging.getLogger(__name__)

MISSING: Final = "missing"
UNKNOWN: Final = "unknown"
REVOKED: Final = "revoked"
EXPIRED: Final = "expired"
REASONS: Final = (MISSING, UNKNOWN, REVOKED, EXPIRED)


class BearerGuard:
    def __init__(
        self,
        limit: int,
        window_s: float,
        lockout_s: float,
        *,
        max_keys: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.limit = limit
        self.lockout_s = lockout_s
        self._limiter: FailureLimiter[str] = FailureLimiter(
            limit, window_s, lockout_s, max_keys=max_keys, monotonic=monotonic
        )
        self.failures: Counter[str] = Counter({reason: 0 for reason in REASONS})
        self.throttled = 0  # requests answered 429 because their address was locked out
        self.lockouts = 0  # times an address was locked out

    def retry_after(self, source: str) -> float | None:
        """Seconds until ``source`` may try again (and one more throttled request counted), or None."""
        left = self._limiter.retry_after(source)
        if left is not None:
            self.throttled += 1
        return left

    def refused(self, source: str, reason: str, method: str, path: str) -> None:
        """Count one refused request; a wrong token is also logged and held against ``source``."""
        self.failures[reason] += 1
        if reason == MISSING:
            log.debug("API request without a bearer token from %s: %s %s", source, method, path)
            return
        log.warning("API bearer token refused (%s) from %s: %s %s", reason, source, method, path)
        if self._limiter.failure(source):
            self.lockouts += 1
            log.warning(
                "source %s locked out of the API for %.0f s after %d refused bearer tokens",
                source,
                self.lockout_s,
                self.limit,
            )
