"""The list selectors and the object predicates agree, for every kind of user (CONVENTIONS).

The predicates are asked through rules.has_perm, not user.has_perm: Django answers
True to everything for a superuser, which would hide a disagreement for admins.
"""

import pytest
import rules
from django.contrib.auth.models import AnonymousUser

from accounts.enums import Role
from applications import selectors
from applications.models import Application, Attachment, Organisation
from tests.applications.factories import ApplicationFactory, OrganisationFactory, add_member, attach_pitch_deck
from tests.factories import UserFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    owner, member = UserFactory(), UserFactory()
    mine = OrganisationFactory(owner=owner)
    add_member(mine, member)
    theirs = OrganisationFactory(owner=UserFactory())
    for organisation in (mine, theirs):
        for _ in range(2):
            attach_pitch_deck(ApplicationFactory(organisation=organisation))
    return {
        "owner": owner,
        "member": member,
        "member of another organisation": theirs.memberships.get().user,
        "outsider": UserFactory(),
        "reviewer": make_user(Role.REVIEWER),
        "site manager": make_user(Role.SITE_MANAGER),
        "ministry": make_user(Role.MINISTRY),
        "programme manager": make_user(Role.PROGRAMME_MANAGER),
        "admin": make_user(Role.ADMIN),
        "anonymous": AnonymousUser(),
    }


PEOPLE = [
    "owner",
    "member",
    "member of another organisation",
    "outsider",
    "reviewer",
    "site manager",
    "ministry",
    "programme manager",
    "admin",
    "anonymous",
]


@pytest.mark.parametrize("who", PEOPLE)
def test_application_lists_match_the_object_checks(people, who):
    user = people[who]
    everything = list(Application.objects.all())

    listed_anywhere = set(selectors.application_list_for_user(user=user))
    listed_as_member = set(selectors.application_list_for_member(user=user))

    assert listed_anywhere == {a for a in everything if rules.has_perm("applications.view_application", user, a)}
    assert listed_as_member == {a for a in everything if rules.has_perm("applications.edit_application", user, a)}


@pytest.mark.parametrize("who", PEOPLE)
def test_attachment_and_organisation_lists_match_the_object_checks(people, who):
    user = people[who]

    attachments = set(selectors.attachment_list_for_user(user=user))
    organisations = set(selectors.organisation_list_for_user(user=user))
    owned = set(selectors.organisation_owned_by(user=user))

    assert attachments == {
        a for a in Attachment.objects.all() if rules.has_perm("applications.view_attachment", user, a)
    }
    assert organisations == {
        o for o in Organisation.objects.all() if rules.has_perm("applications.view_organisation", user, o)
    }
    assert owned == {
        o for o in Organisation.objects.all() if rules.has_perm("applications.change_organisation", user, o)
    }


def test_the_fixture_covers_both_answers(people):
    """Guard against a vacuous agreement: owners see some, outsiders none, staff all."""
    assert selectors.application_list_for_member(user=people["owner"]).count() == 2
    assert selectors.application_list_for_user(user=people["outsider"]).count() == 0
    assert selectors.application_list_for_user(user=people["reviewer"]).count() == 0
    assert selectors.application_list_for_user(user=people["programme manager"]).count() == 4
    assert selectors.application_list_for_member(user=people["programme manager"]).count() == 0
