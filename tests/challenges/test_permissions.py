"""Permissions beyond the GET table of test_routes.py: changes through staff pages,
and the list selectors agreeing with the object rules."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from challenges.models import Challenge, Programme
from challenges.selectors import challenge_list_visible, programme_list_visible
from tests.challenges.factories import (
    ChallengeFactory,
    ProgrammeFactory,
    publishable_programme,
    published_programme,
)
from tests.conftest import ALL_ROLES

pytestmark = pytest.mark.django_db

STAFF = {Role.PROGRAMME_MANAGER, Role.ADMIN}


@pytest.fixture
def objects():
    published = published_programme(slug="published")
    draft = publishable_programme(slug="draft")
    held_back = ChallengeFactory(programme=published, slug="held-back", published=False)
    return {
        "published": published,
        "public_challenge": published.challenges.exclude(pk=held_back.pk).get(),
        "held_back": held_back,
        "draft": draft,
        "draft_challenge": draft.challenges.get(),
    }


@pytest.mark.parametrize("role", ALL_ROLES)
def test_publish_by_role(role_client, objects, role):
    response = role_client(role).post(reverse("challenges:staff_programme_publish", kwargs={"slug": "draft"}))
    objects["draft"].refresh_from_db()
    if role in STAFF:
        assert response.status_code == 302
        assert objects["draft"].published is True
    else:
        assert response.status_code == (302 if role == Role.ANONYMOUS else 404)
        assert objects["draft"].published is False


def test_innovator_cannot_change_anything_through_staff_pages(role_client, objects):
    client = role_client(Role.INNOVATOR)
    challenge = objects["public_challenge"]

    responses = [
        client.post(reverse("challenges:staff_programme_unpublish", kwargs={"slug": "published"}), {"reason": "x"}),
        client.post(
            reverse(
                "challenges:staff_challenge_delete",
                kwargs={"slug": "published", "challenge_slug": challenge.slug},
            )
        ),
        client.post(reverse("challenges:staff_programme_create"), {"title": "Mine"}),
        client.post(reverse("challenges:staff_programme_clone"), {"year": 2030, "slug": "x", "title": "x"}),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert Programme.objects.get(slug="published").published is True
    assert Challenge.objects.filter(pk=challenge.pk).exists()
    assert Programme.objects.count() == 2


def test_staff_pages_for_an_unknown_programme_are_404(role_client):
    response = role_client(Role.PROGRAMME_MANAGER).get(
        reverse("challenges:staff_programme_detail", kwargs={"slug": "nope"})
    )
    assert response.status_code == 404


@pytest.mark.parametrize("role", ALL_ROLES)
def test_list_selectors_agree_with_the_object_permissions(role_client, objects, role):
    """Every list is filtered by the same rule that guards the object (DESIGN §4)."""
    user = role_client(role).user
    from django.contrib.auth.models import AnonymousUser

    user = user or AnonymousUser()
    programmes = set(programme_list_visible(user=user))
    challenges = set(challenge_list_visible(user=user))

    assert programmes == {p for p in Programme.objects.all() if user.has_perm("challenges.read_programme", p)}
    assert challenges == {c for c in Challenge.objects.all() if user.has_perm("challenges.read_challenge", c)}
    assert (objects["draft"] in programmes) is (role in STAFF)
    assert (objects["held_back"] in challenges) is (role in STAFF)


def test_staff_nav_entry_only_for_managers(role_client):
    staff_url = reverse("challenges:staff_programme_list")
    for role in ALL_ROLES:
        body = role_client(role).get(reverse("home")).content.decode()
        assert (f'href="{staff_url}"' in body) is (role in STAFF), role
        assert f'href="{reverse("challenges:list")}"' in body


def test_draft_preview_is_marked_for_staff(role_client):
    draft = ProgrammeFactory(slug="draft-x")
    body = role_client(Role.PROGRAMME_MANAGER).get(draft.get_absolute_url()).content.decode()
    assert "This is not published: only programme managers can see this page." in body
