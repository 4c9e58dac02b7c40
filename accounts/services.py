from django.contrib.auth.models import Group
from django.db import transaction

from accounts.allies import NATO_ALLIES
from accounts.audit import audit_record
from accounts.enums import GROUP_ROLES, Role
from accounts.models import Ally, User


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
