import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.allies import NATO_ALLIES
from accounts.audit import audit_record
from accounts.enums import GROUP_ROLES, Role
from accounts.models import API_TOKEN_MARK, API_TOKEN_PREFIX_LENGTH, Ally, ApiRead, ApiToken, User


def allies_sync() -> int:
    """Make the Ally table match NATO_ALLIES. Returns the number of Allies."""
    for code, joined in NATO_ALLIES.items():
        Ally.objects.update_or_create(code=code, defaults={"joined": joined})
    return len(NATO_ALLIES)


def role_groups_sync() -> None:
    for role in GROUP_ROLES:
        Group.objects.get_or_create(name=role.value)


def _role_state(user: User) -> dict:
    return {"roles": sorted(user.groups.values_list("name", flat=True)), "is_staff": user.is_staff}


def user_access_state(user: User) -> dict:
    """What decides what a user may do: roles, staff and superuser flags, active, and
    any permission given to the user directly. Compared before and after an admin edit."""
    fresh = User.objects.get(pk=user.pk)
    return _role_state(fresh) | {
        "is_superuser": fresh.is_superuser,
        "is_active": fresh.is_active,
        "permissions": sorted(fresh.user_permissions.values_list("codename", flat=True)),
    }


def user_access_record(*, user: User, before: dict, by: User) -> None:
    """Audit an administrator's change to a user's access (the admin's user form), if any."""
    after = user_access_state(user)
    if after != before:
        audit_record(by=by, action="user.change_access", target=user, before=before, after=after)


@transaction.atomic
def user_grant_role(*, user: User, role: Role, by: User | None) -> None:
    """Give a user a group role (reviewer, programme manager, site manager, ministry),
    recorded in the audit trail with the roles before and after. Programme managers
    also get `is_staff` (they are NATO staff and may use the admin), recorded too.

    `by` is the acting user; None only for the system (seed_demo, set-up scripts).
    Granting a role the user already holds changes nothing and records nothing, so
    an idempotent seed leaves no trail of repeats."""
    if role not in GROUP_ROLES:
        raise ValueError(f"{role} is not a group role")
    group, _ = Group.objects.get_or_create(name=role.value)
    before = _role_state(user)
    user.groups.add(group)
    if role == Role.PROGRAMME_MANAGER and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    after = _role_state(user)
    if after != before:
        audit_record(by=by, action="user.grant_role", target=user, before=before, after=after)


# --- API tokens (DESIGN §9) --------------------------------------------------------------

API_TOKEN_DAYS_DEFAULT = 90
API_TOKEN_DAYS_MAX = 730  # two years: a ministry renews its token at least that often
API_TOKEN_NAME_MAX = 200  # ApiToken.name


class ApiTokenError(Exception):
    """A token cannot be issued or revoked as asked; the message says why, for people."""


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # the secret itself: shown once, never stored


def api_token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, nation: str, name: str, days: int = API_TOKEN_DAYS_DEFAULT, by: User | None) -> IssuedToken:
    """Issue a bearer token for a ministry of `nation` (an Ally), valid for `days`.

    Returns the key, which the caller shows once: only its SHA-256 is stored.
    `by` is None for the command line and the demo."""
    nation, name = nation.strip().upper(), " ".join(name.split())
    if not Ally.objects.filter(code=nation).exists():
        raise ApiTokenError(
            _("%(nation)s is not a NATO Ally: give the two-letter code of an Ally, such as PL.")
            % {"nation": nation or "''"}
        )
    if not name:
        raise ApiTokenError(_("Give the token a name that says who holds it, such as “Polish MoD”."))
    if len(name) > API_TOKEN_NAME_MAX:
        raise ApiTokenError(_("The name is too long: at most 200 characters."))
    if not 1 <= days <= API_TOKEN_DAYS_MAX:
        raise ApiTokenError(_("A token is valid for 1 to %(max)s days.") % {"max": API_TOKEN_DAYS_MAX})
    key = API_TOKEN_MARK + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        name=name,
        nation=nation,
        prefix=key[:API_TOKEN_PREFIX_LENGTH],
        key_hash=api_token_hash(key),
        created_at=now,
        created_by=by,
        expires_at=now + timedelta(days=days),
    )
    audit_record(
        by=by,
        action="api_token.issue",
        target=token,
        after={"name": name, "nation": nation, "prefix": token.prefix, "expires_at": token.expires_at.isoformat()},
    )
    return IssuedToken(token=token, key=key)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User | None) -> ApiToken:
    """Revoke a token at once: its next request answers 401. Revoking twice is an error."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.is_revoked:
        raise ApiTokenError(_("This token was already revoked."))
    token.revoked_at = timezone.now()
    token.revoked_by = by
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        by=by,
        action="api_token.revoke",
        target=token,
        before={"revoked_at": None},
        after={"revoked_at": token.revoked_at.isoformat()},
    )
    return token


# The last-used time is for people ("is this token still in use?"): a minute's precision
# is plenty, and writing it at most once a minute per token keeps reads from queueing on
# one row. Redis remembers which tokens were stamped in the last minute.
LAST_USED_PRECISION_SECONDS = 60


def api_token_touch(*, token: ApiToken, now: datetime) -> None:
    if cache.add(f"api-token-used:{token.pk}", 1, timeout=LAST_USED_PRECISION_SECONDS):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


def api_read_record(*, token: ApiToken, method: str, path: str, status: int, at: datetime) -> None:
    """The audit of one ministry request (DESIGN §9): one INSERT, in autocommit."""
    ApiRead.objects.create(token_id=token.pk, at=at, method=method[:10], path=path[:500], status=status)
