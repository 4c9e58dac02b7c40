"""Search and filters return exactly the expected challenges."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from challenges.selectors import challenge_list_published, programme_list_open
from tests.challenges.factories import ChallengeFactory, ProgrammeFactory, TechnologyAreaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    """Two published programmes, one draft, and challenges with known words, areas and TRL."""
    space = TechnologyAreaFactory(slug="t-space", name="T Space")
    autonomy = TechnologyAreaFactory(slug="t-autonomy", name="T Autonomy")
    energy = TechnologyAreaFactory(slug="t-energy", name="T Energy")
    current = ProgrammeFactory(slug="current", published=True)
    archive = ProgrammeFactory(slug="archive", published=True)
    draft = ProgrammeFactory(slug="draft", published=False)
    challenges = {
        "satellites": ChallengeFactory(
            programme=current,
            title="Resilient satellites",
            summary="Keep space services up.",
            problem="Jamming of satellite links.",
            technology_areas=[space],
            trl_min=3,
            trl_max=6,
        ),
        "drones": ChallengeFactory(
            programme=current,
            title="Drone swarms",
            summary="Many uncrewed vehicles.",
            problem="Operators control one drone each.",
            operational_context="Links are jammed over the sea.",
            technology_areas=[autonomy],
            trl_min=5,
            trl_max=8,
        ),
        "batteries": ChallengeFactory(
            programme=archive,
            title="Field batteries",
            summary="Power for small teams.",
            problem="Fuel convoys are targeted. Uncrewed resupply by drone is one option.",
            technology_areas=[energy, autonomy],
            trl_min=4,
            trl_max=7,
        ),
        "held-back": ChallengeFactory(
            programme=current, title="Held back drones", published=False, technology_areas=[autonomy]
        ),
        "draft": ChallengeFactory(programme=draft, title="Draft drone idea", technology_areas=[autonomy]),
    }
    return {"challenges": challenges, "areas": (space, autonomy, energy), "programmes": (current, archive)}


def _titles(**filters) -> list[str]:
    return [challenge.title for challenge in challenge_list_published(**filters)]


def test_catalogue_lists_only_public_challenges(catalogue):
    assert sorted(_titles()) == ["Drone swarms", "Field batteries", "Resilient satellites"]


def test_search_matches_title_and_statement_ranked_title_first(catalogue):
    # "drone" is in one title and in another's problem statement; stemming matches "drones".
    assert _titles(search="drone") == ["Drone swarms", "Field batteries"]


def test_search_matches_operational_context(catalogue):
    assert _titles(search="sea") == ["Drone swarms"]


def test_search_uses_web_search_syntax(catalogue):
    assert _titles(search="drone -convoys") == ["Drone swarms"]
    assert _titles(search='"satellite links"') == ["Resilient satellites"]
    assert sorted(_titles(search="satellites or batteries")) == ["Field batteries", "Resilient satellites"]


def test_search_with_no_match_is_empty(catalogue):
    assert _titles(search="hypersonic") == []


def test_filter_by_programme(catalogue):
    current, archive = catalogue["programmes"]
    assert sorted(_titles(programme=current)) == ["Drone swarms", "Resilient satellites"]
    assert _titles(programme=archive) == ["Field batteries"]


def test_filter_by_area(catalogue):
    space, autonomy, energy = catalogue["areas"]
    assert sorted(_titles(area=autonomy)) == ["Drone swarms", "Field batteries"]
    assert _titles(area=space) == ["Resilient satellites"]
    assert _titles(area=energy) == ["Field batteries"]


@pytest.mark.parametrize(
    ("trl", "expected"),
    [
        (2, []),
        (3, ["Resilient satellites"]),
        (4, ["Field batteries", "Resilient satellites"]),
        (6, ["Drone swarms", "Field batteries", "Resilient satellites"]),
        (7, ["Drone swarms", "Field batteries"]),
        (8, ["Drone swarms"]),
        (9, []),
    ],
)
def test_filter_by_trl_keeps_challenges_whose_range_accepts_it(catalogue, trl, expected):
    assert sorted(_titles(trl=trl)) == expected


def test_filters_and_search_combine(catalogue):
    current, _archive = catalogue["programmes"]
    _space, autonomy, _energy = catalogue["areas"]
    assert _titles(search="drone", area=autonomy, trl=7) == ["Drone swarms", "Field batteries"]
    assert _titles(search="drone", area=autonomy, trl=7, programme=current) == ["Drone swarms"]
    assert _titles(search="drone", trl=4) == ["Field batteries"]


def test_programme_list_open_defaults_to_the_server_clock():
    programme = ProgrammeFactory(
        published=True,
        opens_at=datetime(2026, 6, 2, 9, tzinfo=UTC),
        closes_at=datetime(2026, 7, 11, 12, tzinfo=UTC),
    )
    with time_machine.travel(datetime(2026, 7, 11, 11, 59, 59, tzinfo=UTC), tick=False):
        assert list(programme_list_open()) == [programme]
    with time_machine.travel(datetime(2026, 7, 11, 12, tzinfo=UTC), tick=False):
        assert list(programme_list_open()) == []


def test_current_at_keeps_programmes_not_yet_closed(catalogue):
    _current, archive = catalogue["programmes"]
    archive.closes_at = archive.opens_at + timedelta(days=1)
    archive.save()
    instant = archive.closes_at
    assert sorted(_titles(current_at=instant)) == ["Drone swarms", "Resilient satellites"]
    assert _titles(current_at=instant - timedelta(seconds=1), search="batteries") == ["Field batteries"]
