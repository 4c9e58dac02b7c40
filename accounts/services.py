from django.contrib.auth.models import Group
from django.db import transaction

from accounts.allies import NATO_ALLIES
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


@transaction.atomic
def user_grant_role(*, user: User, role: Role) -> None:
    """Give a user a group role (reviewer, programme manager, site manager, ministry)."""
    if role not in GROUP_ROLES:
        raise ValueError(f"{role} is not a group role")
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    if role == Role.PROGRAMME_MANAGER:
        # Programme managers are NATO staff and use the admin for bulk fixes.
        user.is_staff = True
        user.save(update_fields=["is_staff"])
