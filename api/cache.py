"""What the API keeps between requests to answer a polling ministry cheaply (bench/api_load.py).

Two things, each with a stated bound:

* **Tokens, in each process, for at most TOKEN_SECONDS.** A token found by its key is
  kept in the worker's memory for 5 seconds, so most requests make no query to know
  who is asking. Expiry is still checked on every request. A revocation takes effect
  at once in the process that saved it (a signal forgets the token there) and within
  TOKEN_SECONDS everywhere else: that is the revocation bound.

* **Rendered list pages, in Redis, for at most PAGE_SECONDS.** The body and ETag of a
  list page are kept under (caller, endpoint, normalised query) together with
  the data version they were built from. The data version is a Redis counter, bumped
  whenever a row the lists read is saved or deleted (api.apps connects the signals):
  at once, and again when the transaction commits, so a page built from rows read
  before the commit is never kept under the new version. A page built under an older
  version is never served. A write that bypasses save() (queryset.update(), bulk
  writes, SQL) does not bump it: such a change shows within PAGE_SECONDS. The
  statistics' page is kept only as long as its figures may be (a minute from computed_at).
"""

import hashlib
import time
from typing import cast
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse

from accounts.models import ApiToken
from accounts.selectors import api_token_by_key
from accounts.services import LAST_USED_PRECISION_SECONDS, api_token_hash, api_token_touch
from api.throttling import redis_client
from applications.models import Application

# --- Tokens ----------------------------------------------------------------------------------

TOKEN_SECONDS = 5.0
TOKEN_CACHE_MAX = 1000  # tokens a process remembers at once (there are a few dozen ministries)

_tokens: dict[str, tuple[float, ApiToken]] = {}  # key hash -> (when read, token)
_touched: dict[int, float] = {}  # token id -> when this process last stamped its last use


def token_by_key(key: str) -> ApiToken | None:
    """The token whose secret is `key`, read at most TOKEN_SECONDS ago. Unknown keys are
    not remembered: a guess costs a query each time, as before, and fills nothing."""
    digest = api_token_hash(key)
    now = time.time()
    cached = _tokens.get(digest)
    if cached is not None and now - cached[0] < TOKEN_SECONDS:
        return cached[1]
    token = api_token_by_key(key=key)
    if token is not None:
        if len(_tokens) >= TOKEN_CACHE_MAX:
            _tokens.clear()
        _tokens[digest] = (now, token)
    return token


def token_forget(token: ApiToken) -> None:
    _tokens.pop(token.key_hash, None)


def token_touch(token: ApiToken, now) -> None:
    """Stamp the token's last use at most once a minute from this process (and, through
    api_token_touch's Redis key, at most once a minute overall)."""
    seen = time.time()
    if seen - _touched.get(token.pk, 0.0) >= LAST_USED_PRECISION_SECONDS:
        _touched[token.pk] = seen
        api_token_touch(token=token, now=now)


# --- List pages ------------------------------------------------------------------------------

PAGE_SECONDS = 60


def data_version() -> int:
    return int(redis_client(settings.REDIS_URL).get(_key("version")) or 0)


def _key(name: str) -> str:
    # The cache's key prefix keeps parallel test runs (and portals sharing a Redis) apart.
    return f"{settings.CACHES['default']['KEY_PREFIX']}:api-pages:{name}"


def data_changed(sender, instance, **_signal_kwargs) -> None:
    """A row the list pages read was saved or deleted: no page built before is served again.
    A draft (no reference yet) is never in the API: an applicant's autosaves change nothing."""
    if isinstance(instance, Application) and instance.reference is None:
        return
    client = redis_client(settings.REDIS_URL)
    client.incr(_key("version"))
    transaction.on_commit(lambda: client.incr(_key("version")))


def page_key(request) -> str:
    """One entry per caller (a ministry's token, or a staff member), path and query,
    whatever the order of the query's parameters. Per caller rather than per nation: a
    page can then never reach anyone but the caller it was built for, and a nation has
    one or two tokens, so little is lost."""
    scope = f"token:{request.auth.pk}" if isinstance(request.auth, ApiToken) else f"user:{request.user.pk}"
    query = urlencode(sorted((name, value) for name, values in request.GET.lists() for value in values))
    digest = hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()[:32]
    return _key(f"page:{scope}:{digest}")


class CachedPage:
    """A page found (`response` is set) or to be stored (`store` after rendering)."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.seconds = PAGE_SECONDS  # how long it may be kept, at most
        self.response: HttpResponse | None = None
        # Bytes: the client is made without decode_responses.
        version, stored = cast("list[bytes | None]", redis_client(settings.REDIS_URL).mget([_key("version"), key]))
        self.version: bytes = version or b"0"
        if stored is not None:
            stored_version, etag, body = stored.split(b"\n", 2)
            if stored_version == self.version:
                self.response = HttpResponse(body, content_type="application/json")
                self.response["ETag"] = etag.decode()

    def store(self, response) -> None:
        value = b"\n".join([self.version, response["ETag"].encode(), response.content])
        redis_client(settings.REDIS_URL).set(self.key, value, ex=self.seconds)
