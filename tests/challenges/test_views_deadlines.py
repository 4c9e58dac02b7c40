"""Every deadline shown to a person is in UTC with a slot for the viewer's own time
(filled by static/js/portal.js): the programme list, the staff pages and the catalogue cards."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.enums import Role
from tests.challenges.factories import ChallengeFactory, published_programme

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 20, 10, 0, tzinfo=UTC)


def _deadline(instant: str, local_id: str, utc_text: str) -> list[str]:
    """The markup of includes/deadline.html for one instant."""
    return [
        f'<time datetime="{instant}" data-local-target="local-{local_id}">{utc_text} UTC</time>',
        f'id="local-{local_id}" data-prefix="Your time:"',
    ]


@pytest.fixture
def programmes():
    with time_machine.travel(NOW, tick=False):
        open_call = published_programme(
            slug="diana-2026",
            title="DIANA 2026",
            opens_at=datetime(2026, 6, 2, 9, tzinfo=UTC),
            closes_at=datetime(2026, 7, 11, 12, tzinfo=UTC),
        )
        closed_call = published_programme(
            slug="diana-2025",
            title="DIANA 2025",
            year=2025,
            opens_at=datetime(2025, 6, 2, 9, tzinfo=UTC),
            closes_at=datetime(2025, 7, 11, 12, tzinfo=UTC),
        )
        yield open_call, closed_call


def test_programme_list_shows_each_close_in_utc_and_local_time(client, programmes):
    html = client.get(reverse("challenges:programme_list")).content.decode()

    for part in _deadline("2026-07-11T12:00:00+00:00", "diana-2026-close", "11 July 2026, 12:00"):
        assert part in html
    for part in _deadline("2025-07-11T12:00:00+00:00", "diana-2025-close", "11 July 2025, 12:00"):
        assert part in html
    assert "From 2 June 2026 to" in html


def test_staff_programme_list_shows_each_close_in_utc_and_local_time(role_client, programmes):
    html = role_client(Role.PROGRAMME_MANAGER).get(reverse("challenges:staff_programme_list")).content.decode()

    for part in _deadline("2026-07-11T12:00:00+00:00", "diana-2026-close", "11 July 2026, 12:00"):
        assert part in html


def test_staff_applications_index_shows_each_close_in_utc_and_local_time(role_client, programmes):
    html = role_client(Role.PROGRAMME_MANAGER).get(reverse("applications:staff_index")).content.decode()

    for part in _deadline("2026-07-11T12:00:00+00:00", "diana-2026-close", "11 July 2026, 12:00"):
        assert part in html


def test_staff_programme_page_shows_its_dates_in_utc_and_local_time(role_client, programmes):
    programme = programmes[0]
    url = reverse("challenges:staff_programme_detail", args=[programme.slug])

    html = role_client(Role.PROGRAMME_MANAGER).get(url).content.decode()

    for instant, local_id in [
        (programme.opens_at, "opens"),
        (programme.closes_at, "closes"),
        (programme.review_deadline, "review"),
        (programme.decision_at, "decision"),
    ]:
        for part in _deadline(instant.isoformat(), local_id, instant.strftime("%-d %B %Y, %H:%M")):
            assert part in html


def test_challenge_cards_show_the_close_of_their_programme(client, programmes):
    open_call, closed_call = programmes
    open_challenge = ChallengeFactory(programme=open_call, title="Underwater sensing")
    closed_challenge = ChallengeFactory(programme=closed_call, title="Underwater sensing")

    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("challenges:list"), {"include_closed": "on"}).content.decode()

    cards = {
        challenge.pk: html[
            html.index(challenge.get_absolute_url()) : html.index(
                "</article>", html.index(challenge.get_absolute_url())
            )
        ]
        for challenge in (open_challenge, closed_challenge)
    }
    assert "Closes:" in cards[open_challenge.pk]
    assert "Closed:" not in cards[open_challenge.pk]
    for part in _deadline("2026-07-11T12:00:00+00:00", f"{open_challenge.pk}-close", "11 July 2026, 12:00"):
        assert part in cards[open_challenge.pk]
    assert "Closed:" in cards[closed_challenge.pk]
    for part in _deadline("2025-07-11T12:00:00+00:00", f"{closed_challenge.pk}-close", "11 July 2025, 12:00"):
        assert part in cards[closed_challenge.pk]
