"""Own site versus another site, team member versus outsider (DESIGN §4), and the
predicates agreeing with the selectors that list the same objects."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.enums import Role
from sites.enums import AllocationStatus
from sites.models import Allocation, CohortTeam, Site
from sites.selectors import allocation_list_for_manager, site_list_managed, team_list_for_member
from tests.applications.factories import add_member
from tests.factories import make_user
from tests.sites.factories import AllocationFactory, CohortTeamFactory, SiteFactory

pytestmark = pytest.mark.django_db

OK, REDIRECT, NOT_FOUND = 200, 302, 404


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    own_manager, other_manager = make_user(Role.SITE_MANAGER), make_user(Role.SITE_MANAGER)
    site = SiteFactory(slug="own-site", capacity=3, managers=[own_manager])
    other_site = SiteFactory(slug="other-site", managers=[other_manager])
    offer = AllocationFactory(site=site)
    member = make_user(Role.INNOVATOR)
    add_member(offer.team.application.organisation, member)
    confirmed = AllocationFactory(
        site=site, team__cohort=offer.cohort, status=AllocationStatus.CONFIRMED, confirmed_at=timezone.now()
    )
    confirmed.team.application.organisation.name = "=HYPERLINK(evil)"
    confirmed.team.application.organisation.save()
    proposal = AllocationFactory(site=site, team__cohort=offer.cohort, status=AllocationStatus.PROPOSED)
    return {
        "own": own_manager,
        "other": other_manager,
        "member": member,
        "site": site,
        "other_site": other_site,
        "offer": offer,
        "confirmed": confirmed,
        "proposal": proposal,
    }


# POST answers: who may answer an offer, edit a site, save a team's preferences.
POST_ROUTES = {
    "/sites/offers/{offer}/accept/": {"own": REDIRECT, "other": NOT_FOUND, "member": NOT_FOUND},
    "/sites/offers/{offer}/decline/": {"own": REDIRECT, "other": NOT_FOUND, "member": NOT_FOUND},
    "/sites/own-site/manage/": {"own": REDIRECT, "other": NOT_FOUND, "member": NOT_FOUND},
    "/sites/preferences/{team}/": {"own": NOT_FOUND, "other": NOT_FOUND, "member": REDIRECT},
}
GET_ROUTES = {
    "/sites/offers/{offer}/": {"own": OK, "other": NOT_FOUND, "member": NOT_FOUND},
    "/sites/offers/{proposal}/": {"own": NOT_FOUND, "other": NOT_FOUND, "member": NOT_FOUND},
    "/sites/own-site/manage/": {"own": OK, "other": NOT_FOUND, "member": NOT_FOUND},
    "/sites/other-site/manage/": {"own": NOT_FOUND, "other": OK, "member": NOT_FOUND},
    "/sites/own-site/roster/": {"own": OK, "other": NOT_FOUND, "member": NOT_FOUND},
    "/sites/own-site/roster.csv": {"own": OK, "other": NOT_FOUND, "member": NOT_FOUND},
    "/sites/preferences/{team}/": {"own": NOT_FOUND, "other": NOT_FOUND, "member": OK},
}
POST_DATA = {
    "accept": {"reason": ""},
    "decline": {"reason": "No lab space for this technology."},
    "manage": {"description": "Updated", "capacity": "4"},
    "preferences": {"choice_1": ""},
}


def _fill(path: str, world) -> str:
    return path.format(offer=world["offer"].pk, proposal=world["proposal"].pk, team=world["offer"].team_id)


@pytest.mark.parametrize(("path", "who"), [(p, w) for p, answers in GET_ROUTES.items() for w in answers])
def test_get_answers_own_versus_other(world, path, who):
    response = signed_in(world[who]).get(_fill(path, world))

    assert response.status_code == GET_ROUTES[path][who], f"{who} on {path}"


@pytest.mark.parametrize(("path", "who"), [(p, w) for p, answers in POST_ROUTES.items() for w in answers])
def test_post_answers_own_versus_other(world, path, who):
    if "preferences" in path:  # a window still open, so the member's save goes through
        world["offer"].cohort.preference_deadline = timezone.now() + timedelta(days=1)
        world["offer"].cohort.save()
    data = next(value for key, value in POST_DATA.items() if key in path)

    response = signed_in(world[who]).post(_fill(path, world), data)

    assert response.status_code == POST_ROUTES[path][who], f"{who} on {path}"


def test_another_sites_manager_cannot_change_its_capacity(world):
    response = signed_in(world["other"]).post("/sites/own-site/manage/", {"description": "x", "capacity": "99"})

    assert response.status_code == NOT_FOUND
    assert Site.objects.get(slug="own-site").capacity == 3


def test_innovator_sees_no_offer_anywhere(world):
    client = signed_in(world["member"])

    assert client.get("/sites/workspace/").status_code == NOT_FOUND
    assert client.get(f"/sites/offers/{world['offer'].pk}/").status_code == NOT_FOUND
    assert allocation_list_for_manager(user=world["member"]).count() == 0


def test_roster_csv_lists_confirmed_teams_with_formulas_defused(world):
    response = signed_in(world["own"]).get("/sites/own-site/roster.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    application = world["confirmed"].team.application
    assert rows[0] == ["reference", "organisation", "nation", "challenge", "project", "confirmed_at"]
    assert rows[1][:4] == [application.reference, "'=HYPERLINK(evil)", "NO", application.challenge.title]
    assert len(rows) == 2


def test_predicates_agree_with_selectors(world):
    users = [world["own"], world["other"], world["member"], make_user(Role.PROGRAMME_MANAGER)]
    allocations = list(Allocation.objects.all())
    for user in users:
        listed = set(allocation_list_for_manager(user=user).values_list("pk", flat=True))
        allowed = {a.pk for a in allocations if user.has_perm("sites.answer_allocation", a)}
        assert listed == allowed, user
        sites = set(site_list_managed(user=user).values_list("pk", flat=True))
        assert sites == {s.pk for s in Site.objects.all() if user.has_perm("sites.edit_own_site", s)}, user
        teams = set(team_list_for_member(user=user).values_list("pk", flat=True))
        assert teams == {t.pk for t in CohortTeam.objects.all() if user.has_perm("sites.set_preferences", t)}, user


def test_team_member_cannot_rank_for_another_team(world):
    stranger_team = CohortTeamFactory(cohort=world["offer"].cohort)

    response = signed_in(world["member"]).get(f"/sites/preferences/{stranger_team.pk}/")

    assert response.status_code == NOT_FOUND
