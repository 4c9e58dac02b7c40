"""Demo data for accounts: the Allies, the role groups and one login per role.

Runs only from `seed_demo`, never in production (DESIGN §10).
"""

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.enums import Role
from accounts.models import MinistryProfile, ReviewerProfile, User
from accounts.services import allies_sync, role_groups_sync, user_grant_role

DEMO_PASSWORD = "diana-demo"  # noqa: S105 - demo only, printed by make run

# (role, e-mail, full name, nation)
DEMO_LOGINS: list[tuple[Role, str, str, str]] = [
    (Role.INNOVATOR, "innovator@demo.example", "Ingrid Solberg", "NO"),
    (Role.REVIEWER, "reviewer@demo.example", "Dr Marek Nowak", "PL"),
    (Role.PROGRAMME_MANAGER, "manager@demo.example", "Claire Dubois", "FR"),
    (Role.SITE_MANAGER, "site@demo.example", "Kadri Tamm", "EE"),
    (Role.MINISTRY, "ministry@demo.example", "Ministry of Defence (Canada)", "CA"),
    (Role.ADMIN, "admin@demo.example", "Portal Administrator", "BE"),
]


@transaction.atomic
def seed(log) -> None:
    log(f"Allies: {allies_sync()}")
    role_groups_sync()
    for role, email, full_name, nation in DEMO_LOGINS:
        user = demo_user(email=email, full_name=full_name, nation=nation)
        if role == Role.ADMIN:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        elif role != Role.INNOVATOR:
            user_grant_role(user=user, role=role, by=None)
        if role == Role.REVIEWER:
            ReviewerProfile.objects.get_or_create(
                user=user, defaults={"nation": nation, "affiliation": "Demo University of Technology"}
            )
        if role == Role.MINISTRY:
            MinistryProfile.objects.get_or_create(
                user=user, defaults={"nation": nation, "ministry_name": "Department of National Defence"}
            )
    log(f"Demo logins: {len(DEMO_LOGINS)}")


def demo_user(*, email: str, full_name: str, nation: str = "") -> User:
    """A demo user with a verified address and the demo password. Idempotent."""
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name, "nation": nation})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user
