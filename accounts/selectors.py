"""Reads used more than once in accounts."""

from django.db.models import QuerySet

from accounts.models import ApiToken
from accounts.services import api_token_hash


def api_token_by_key(*, key: str) -> ApiToken | None:
    """The token whose secret is `key`, live or not (the caller says why it is refused).
    One indexed lookup by the hash: the secret is never compared in Python."""
    try:
        return ApiToken.objects.get(key_hash=api_token_hash(key))
    except ApiToken.DoesNotExist:
        return None


def api_token_list() -> QuerySet[ApiToken]:
    """Every token, newest first, for the staff page."""
    return ApiToken.objects.select_related("created_by", "revoked_by").order_by("-created_at", "-id")
