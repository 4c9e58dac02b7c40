"""Granting a role is a recorded change: who granted it, the roles before and after."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.enums import Role
from accounts.models import AuditEvent, User
from accounts.services import user_grant_role
from tests.factories import UserFactory, make_user

pytestmark = pytest.mark.django_db


def test_grant_role_records_who_and_the_roles_before_and_after():
    admin = make_user(Role.ADMIN)
    user = UserFactory()
    user_grant_role(user=user, role=Role.REVIEWER, by=admin)

    user_grant_role(user=user, role=Role.PROGRAMME_MANAGER, by=admin)

    user.refresh_from_db()
    assert user.is_staff is True
    assert set(user.groups.values_list("name", flat=True)) == {"reviewer", "programme_manager"}
    event = AuditEvent.objects.filter(action="user.grant_role", target_id=str(user.pk)).latest("id")
    assert (event.actor, event.target_type, event.before, event.after) == (
        admin,
        "accounts.user",
        {"roles": ["reviewer"], "is_staff": False},
        {"roles": ["programme_manager", "reviewer"], "is_staff": True},
    )


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.SITE_MANAGER, Role.MINISTRY])
def test_grant_role_other_than_manager_leaves_staff_status_alone(role):
    user = UserFactory()

    user_grant_role(user=user, role=role, by=None)

    user.refresh_from_db()
    assert user.is_staff is False
    event = AuditEvent.objects.get(action="user.grant_role", target_id=str(user.pk))
    assert (event.actor, event.before, event.after) == (
        None,
        {"roles": [], "is_staff": False},
        {"roles": [role.value], "is_staff": False},
    )


def test_grant_role_already_held_records_nothing():
    user = UserFactory()
    user_grant_role(user=user, role=Role.PROGRAMME_MANAGER, by=None)

    user_grant_role(user=user, role=Role.PROGRAMME_MANAGER, by=None)

    assert AuditEvent.objects.filter(action="user.grant_role", target_id=str(user.pk)).count() == 1


@pytest.mark.parametrize("role", [Role.ANONYMOUS, Role.INNOVATOR, Role.ADMIN])
def test_grant_role_refuses_a_role_that_is_not_a_group(role):
    user = UserFactory()

    with pytest.raises(ValueError, match="not a group role"):
        user_grant_role(user=user, role=role, by=None)

    assert not user.groups.exists()
    assert not AuditEvent.objects.filter(target_id=str(user.pk)).exists()


def test_an_administrator_granting_a_role_in_the_admin_is_audited(role_client):
    client = role_client(Role.ADMIN)
    administrator = User.objects.get(pk=client.session["_auth_user_id"])
    user = UserFactory(email="new.reviewer@example.org", full_name="Nora Berg")
    reviewers = Group.objects.get_or_create(name=Role.REVIEWER.value)[0]
    url = reverse("admin:accounts_user_change", args=[user.pk])
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "nation": "",
        "is_active": "on",
        "groups": [reviewers.pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="user.change_access", target_id=str(user.pk))
    assert event.actor == administrator
    assert event.before["roles"] == []
    assert event.after["roles"] == [Role.REVIEWER.value]
    # Saving again without a change records nothing more.
    client.post(url, data)
    assert AuditEvent.objects.filter(action="user.change_access", target_id=str(user.pk)).count() == 1
