"""Which roles a user holds. One place, used by permissions, navigation and MFA."""

from django.contrib.auth.models import AnonymousUser

from accounts.enums import GROUP_ROLES, Role
from accounts.models import User


def user_roles(user: User | AnonymousUser) -> frozenset[Role]:
    if not user.is_authenticated:
        return frozenset({Role.ANONYMOUS})
    # Cached per request object: navigation, permissions and middleware all ask.
    cached = getattr(user, "_diana_roles", None)
    if cached is not None:
        return cached
    group_names = set(user.groups.values_list("name", flat=True))
    roles = {Role.INNOVATOR} | {role for role in GROUP_ROLES if role.value in group_names}
    if user.is_superuser:
        roles.add(Role.ADMIN)
    result = frozenset(roles)
    user.__dict__["_diana_roles"] = result
    return result


def has_role(user: User | AnonymousUser, role: Role) -> bool:
    return role in user_roles(user)


def addressed_roles(user: User | AnonymousUser) -> frozenset[Role]:
    """The roles the portal's pages speak to: navigation, the home page, the welcome.

    Every signed-in user holds the innovator role (DESIGN §4), so a reviewer or a
    programme manager may still apply; but they signed in for their other role, and
    the applicant's menu and guidance would only mislead them. A user is addressed as
    an innovator only when they hold no other role.
    """
    roles = user_roles(user)
    return roles - {Role.INNOVATOR} if len(roles) > 1 else roles
