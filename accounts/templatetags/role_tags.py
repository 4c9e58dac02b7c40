from django import template

from accounts.enums import Role
from accounts.models import User
from accounts.roles import addressed_roles

register = template.Library()


@register.filter(name="addressed_roles")
def addressed_roles_filter(user: User | None) -> frozenset[Role]:
    """{% with roles=recipient|addressed_roles %}: the roles a message to `user` speaks to
    (none for a bare e-mail address), for templates rendered without a request."""
    return addressed_roles(user) if user is not None else frozenset()
