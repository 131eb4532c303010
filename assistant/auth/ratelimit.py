"""A token-bucket rate limiter keyed by caller (API key id, or client address for keyless callers)."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from assistant.errors import RateLimitedError


class RateLimiter:
    """Allows ``per_minute`` requests a minute per caller, in bursts of up to ``burst``.

    Args:
        per_minute: sustained rate; 0 turns limiting off.
        burst: bucket size (default: a quarter of a minute's worth, at least 5).
        max_callers: buckets kept (least recently seen ones are dropped: a flood of addresses cannot
            grow memory without bound).
        clock: seconds, monotonic (swappable in tests).
    """

    def __init__(self, per_minute: float, burst: float | None = None, max_callers: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 0:
            raise ValueError(f"per_minute must be ≥ 0, got {per_minute!r}")
        if burst is not None and burst < 1:
            raise ValueError(f"burst must be ≥ 1, got {burst!r}")
        self.per_minute = per_minute
        self.burst = burst if burst is not None else max(5.0, per_minute / 4)
        self.max_callers = max_callers
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def run(self, caller: str) -> None:
        """Take one token for ``caller``.

        Raises:
            RateLimitedError: the bucket is empty (``retry_after`` = seconds until the next token).
        """
        if self.per_minute == 0:
            return
        rate = self.per_minute / 60.0
        now = self.clock()
        with self._lock:
            tokens, seen = self._buckets.pop(caller, (self.burst, now))
            tokens = min(self.burst, tokens + (now - seen) * rate)
            if tokens < 1:
                self._buckets[caller] = (tokens, now)
                wait = (1 - tokens) / rate
                raise RateLimitedError(f"请求过于频繁（每分钟最多 {self.per_minute:g} 次），请 {math.ceil(wait)} 秒后再试。",
                                       retry_after=wait)
            self._buckets[caller] = (tokens - 1, now)
            while len(self._buckets) > self.max_callers:
                self._buckets.popitem(last=False)
