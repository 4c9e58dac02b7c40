"""Demo data for accounts: the Allies, the role groups and one login per role.

Runs only from `seed_demo`, never in production (DESIGN §10).
"""

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.enums import Role
from accounts.models import ApiToken, MinistryProfile, ReviewerProfile, User
from accounts.services import (
    IssuedToken,
    allies_sync,
    api_token_issue,
    api_token_revoke,
    role_groups_sync,
    user_grant_role,
)

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
    log(f"API tokens of other ministries: {_seed_other_ministries_tokens()}")


def demo_user(*, email: str, full_name: str, nation: str = "") -> User:
    """A demo user with a verified address and the demo password. Idempotent."""
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name, "nation": nation})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


# --- API tokens ---------------------------------------------------------------------------------

# The demo ministry's token, the one `make run` prints. A token is stored as a hash and can
# never be shown again, so seed_demo cannot keep one for make run to print: instead make
# run issues a fresh one at each start (demo_api_token_renew) and revokes the one before,
# so exactly one demo token is live, its secret exists only in that terminal, and the
# whole life of a token (issue, use, revoke) runs through the real services.
DEMO_MINISTRY_NAME = "Department of National Defence (Canada), demo"
DEMO_MINISTRY_NATION = "CA"  # the demo ministry's nation (DEMO_LOGINS)
DEMO_API_TOKEN_DAYS = 30

# Other ministries' tokens, so that the staff page shows tokens in every state. Their
# secrets are thrown away: nobody can use them. (name, nation, revoked)
OTHER_MINISTRIES_TOKENS: list[tuple[str, str, bool]] = [
    ("Polish MoD, Department of Innovation", "PL", False),
    ("Bundeswehr Cyber Innovation Hub", "DE", False),
    ("Norwegian MoD, FFI liaison", "NO", True),
]


def _seed_other_ministries_tokens() -> int:
    for name, nation, revoked in OTHER_MINISTRIES_TOKENS:
        if ApiToken.objects.filter(name=name).exists():
            continue
        token = api_token_issue(nation=nation, name=name, days=180, by=None).token
        if revoked:
            api_token_revoke(token=token, by=None)
    return len(OTHER_MINISTRIES_TOKENS)


@transaction.atomic
def demo_api_token_renew() -> IssuedToken:
    """Revoke the demo ministry's live tokens and issue a new one: `make run` prints it."""
    for token in ApiToken.objects.filter(name=DEMO_MINISTRY_NAME, revoked_at__isnull=True):
        api_token_revoke(token=token, by=None)
    return api_token_issue(nation=DEMO_MINISTRY_NATION, name=DEMO_MINISTRY_NAME, days=DEMO_API_TOKEN_DAYS, by=None)
