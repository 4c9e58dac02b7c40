"""The programme's history shows each action as a translated label, not its code."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils.functional import Promise

import challenges.services
from accounts.audit import audit_record
from accounts.enums import Role
from challenges.enums import AUDIT_ACTION_LABELS
from challenges.services import programme_publish
from tests.challenges.factories import publishable_programme

pytestmark = pytest.mark.django_db


def _history(body: str) -> str:
    """The history card of the staff programme page."""
    return body.split('<h2 class="h5">History</h2>', 1)[1].split("</ol>", 1)[0]


def test_history_shows_the_label_of_an_action_not_its_code(role_client):
    client = role_client(Role.PROGRAMME_MANAGER)
    programme = publishable_programme(slug="ready")
    programme_publish(programme=programme, by=client.user)

    body = client.get(reverse("challenges:staff_programme_detail", kwargs={"slug": "ready"})).content.decode()

    history = _history(body)
    assert "Programme published" in history
    assert "programme.publish" not in history


def test_history_shows_the_code_of_an_action_without_a_label(role_client):
    client = role_client(Role.PROGRAMME_MANAGER)
    programme = publishable_programme(slug="ready")
    audit_record(by=None, action="programme.archive", target=programme)

    body = client.get(reverse("challenges:staff_programme_detail", kwargs={"slug": "ready"})).content.decode()

    assert "programme.archive" in _history(body)


def test_every_action_the_services_record_has_a_translatable_label():
    source = Path(challenges.services.__file__).read_text()
    recorded = set(re.findall(r'action="([a-z_.]+)"', source))

    assert recorded
    assert recorded <= set(AUDIT_ACTION_LABELS)
    assert all(isinstance(label, Promise) for label in AUDIT_ACTION_LABELS.values())
