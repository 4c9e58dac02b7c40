import pytest
from django.core.management import call_command

from accounts.demo import DEMO_LOGINS
from accounts.enums import Role
from accounts.models import Ally, User
from accounts.roles import user_roles
from applications.tasks import plan_draft_reminders
from challenges.models import TechnologyArea
from challenges.technology_areas import PRIORITY_TECHNOLOGY_AREAS

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_allies_and_one_login_per_role():
    call_command("seed_demo", stdout=None)

    assert Ally.objects.count() == 32
    for role, email, _name, _nation in DEMO_LOGINS:
        user = User.objects.get(email=email)
        assert role in user_roles(user), email
        assert user.check_password("diana-demo")
        assert user.emailaddress_set.get().verified


# DESIGN §1: NATO's ten priority technologies.
PRIORITY_TECHNOLOGIES = [
    "Artificial intelligence",
    "Big-data processing",
    "Quantum-enabled technologies",
    "Autonomy",
    "Biotechnology and human enhancement",
    "Novel materials and manufacturing",
    "Space",
    "Energy and propulsion",
    "Hypersonics",
    "Next-generation communications networks",
]


def test_seed_demo_has_the_ten_priority_technology_areas():
    call_command("seed_demo", stdout=None)

    assert list(TechnologyArea.objects.order_by("order").values_list("name", flat=True)) == PRIORITY_TECHNOLOGIES
    assert [slug for slug, _name in PRIORITY_TECHNOLOGY_AREAS] == list(
        TechnologyArea.objects.order_by("order").values_list("slug", flat=True)
    )


def test_seed_demo_call_closes_soon_enough_for_the_drafts_to_be_reminded():
    """`make run` shows the draft reminders: the demo call closes within their 7 days."""
    call_command("seed_demo", stdout=None)

    assert plan_draft_reminders() > 0


def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    counts = {model: model.objects.count() for model in (User, Ally)}

    call_command("seed_demo")

    assert {model: model.objects.count() for model in (User, Ally)} == counts


def test_demo_roles_cover_every_signed_in_role():
    assert {role for role, *_ in DEMO_LOGINS} == set(Role) - {Role.ANONYMOUS}
