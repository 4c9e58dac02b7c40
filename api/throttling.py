"""Requests per client per period, counted in Redis (settings.API_THROTTLE_RATE).

Not DRF's SimpleRateThrottle: it keeps every request's time in one cache entry that
each request reads and rewrites, which grows with the rate and loses counts when two
workers write at once. Here a counter per client and fixed window is incremented
atomically, in one round trip (a pipeline: SET NX creates the window's counter with its
expiry, INCR counts; not EXPIRE NX, which the Redis 6.2 that `make run` embeds lacks);
a client may burst up to twice the rate across a window's edge, which is acceptable.
"""

import time
from functools import cache

import redis
from django.conf import settings
from rest_framework.throttling import BaseThrottle

from api.permissions import ministry_token

PERIODS = {"sec": 1, "min": 60, "hour": 3600, "day": 86400}


def _rate() -> tuple[int, int]:
    number, _slash, period = settings.API_THROTTLE_RATE.partition("/")
    return int(number), PERIODS[period]


@cache
def redis_client(url: str) -> redis.Redis:
    # One connection pool per process (and per URL, for tests that change it).
    return redis.Redis.from_url(url)


class ApiClientThrottle(BaseThrottle):
    """Per token for ministries, per person for staff, per address for anonymous callers."""

    def allow_request(self, request, view) -> bool:
        limit, period = _rate()
        now = time.time()
        window = int(now // period)
        self.retry_after = max(1, int((window + 1) * period - now) + 1)
        # The cache's key prefix keeps parallel test runs (and portals sharing a Redis) apart.
        key = f"{settings.CACHES['default']['KEY_PREFIX']}:api-throttle:{self._client(request)}:{period}:{window}"
        pipeline = redis_client(settings.REDIS_URL).pipeline(transaction=False)
        pipeline.set(key, 0, ex=period + 1, nx=True)
        pipeline.incr(key)
        _created, count = pipeline.execute()
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
