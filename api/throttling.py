"""Requests per client per period, counted in Redis (settings.API_THROTTLE_RATE).

Not DRF's SimpleRateThrottle: it keeps every request's time in one cache entry that
each request reads and rewrites, which grows with the rate and loses counts when two
workers write at once. An INCR counter per fixed window is atomic and constant-size;
a client may burst up to twice the rate across a window's edge, which is acceptable.
"""

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from api.permissions import ministry_token

PERIODS = {"sec": 1, "min": 60, "hour": 3600, "day": 86400}


def _rate() -> tuple[int, int]:
    number, _slash, period = settings.API_THROTTLE_RATE.partition("/")
    return int(number), PERIODS[period]


class ApiClientThrottle(BaseThrottle):
    """Per token for ministries, per person for staff, per address for anonymous callers."""

    def allow_request(self, request, view) -> bool:
        limit, period = _rate()
        now = time.time()
        window = int(now // period)
        self.retry_after = max(1, int((window + 1) * period - now) + 1)
        key = f"api-throttle:{self._client(request)}:{period}:{window}"
        # add() only creates the key (with its expiry) when it is missing; incr() is atomic.
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between the two calls: this request opens the window
            cache.set(key, 1, timeout=period + 1)
            count = 1
        return count <= limit

    def wait(self) -> float:
        return self.retry_after

    def _client(self, request) -> str:
        token = ministry_token(request)
        if token is not None:
            return f"token:{token.pk}"
        if request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return f"address:{self.get_ident(request)}"
