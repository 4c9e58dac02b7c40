import pytest
from django.core.management import call_command

from accounts.demo import DEMO_LOGINS
from accounts.enums import Role
from accounts.models import Ally, User
from accounts.roles import user_roles

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_allies_and_one_login_per_role():
    call_command("seed_demo", stdout=None)

    assert Ally.objects.count() == 32
    for role, email, _name, _nation in DEMO_LOGINS:
        user = User.objects.get(email=email)
        assert role in user_roles(user), email
        assert user.check_password("diana-demo")
        assert user.emailaddress_set.get().verified


def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    counts = {model: model.objects.count() for model in (User, Ally)}

    call_command("seed_demo")

    assert {model: model.objects.count() for model in (User, Ally)} == counts


def test_demo_roles_cover_every_signed_in_role():
    assert {role for role, *_ in DEMO_LOGINS} == set(Role) - {Role.ANONYMOUS}
