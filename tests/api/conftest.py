"""A small world for the API: two programmes, challenges and applications of three nations.

`world` is built with the factories; statuses and references are set directly on the
rows (the applications tests take them through the services), since the API only reads.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from accounts.enums import Role
from accounts.services import api_token_issue
from applications.enums import ApplicationStatus, Eligibility
from applications.models import Application
from challenges.models import Challenge, Programme, TechnologyArea
from sites.enums import AllocationStatus, SiteKind
from sites.models import Allocation, Cohort, Site
from tests.applications.factories import ApplicationFactory, ChallengeFactory, OrganisationFactory, ProgrammeFactory
from tests.factories import make_user
from tests.sites.factories import (
    AllocationFactory,
    AllocationRunFactory,
    CohortFactory,
    CohortTeamFactory,
    SiteFactory,
    ally,
)

S = ApplicationStatus


def received(challenge: Challenge, nation: str, number: int, status: str = S.SUBMITTED, **fields) -> Application:
    """An application of a company headquartered in `nation`, submitted with reference number `number`."""
    organisation = OrganisationFactory(hq_nation=nation)
    return ApplicationFactory(
        organisation=organisation,
        challenge=challenge,
        status=status,
        reference=f"DIANA-{challenge.programme.year}-{number:05d}",
        submitted_at=timezone.now() - datetime.timedelta(hours=number),
        eligibility=Eligibility.NOT_CHECKED if status == S.SUBMITTED else Eligibility.ELIGIBLE,
        **fields,
    )


@dataclass
class World:
    programme: Programme
    hidden_programme: Programme  # not published: staff only
    challenges: list[Challenge]
    hidden_challenge: Challenge
    pl: list[Application]
    de: list[Application]
    other: list[Application]  # Norway's
    draft: Application
    sites: list[Site]  # active: an accelerator site in Estonia, a test centre in Poland
    inactive_site: Site
    cohort: Cohort
    # The cohort's allocations offered or further, by the team's nation; and its unapproved proposals.
    allocations: dict[str, list[Allocation]]
    proposals: list[Allocation]

    @property
    def references(self) -> set[str]:
        return {a.reference for a in self.pl + self.de + self.other}


@pytest.fixture
def world(db) -> World:
    programme = ProgrammeFactory(slug="diana-2026", year=2026)
    hidden = ProgrammeFactory(slug="diana-2027-draft", year=2027, published=False)
    first = ChallengeFactory(programme=programme, slug="energy", title="Energy resilience", order=1)
    second = ChallengeFactory(programme=programme, slug="sensing", title="Sensing", order=2, trl_min=2, trl_max=5)
    hidden_challenge = ChallengeFactory(programme=hidden, slug="secret", title="Held back")
    second.technology_areas.set([TechnologyArea.objects.get(slug="quantum")])  # a reference row (migration)
    pl = [
        received(first, "PL", 1),
        received(second, "PL", 2, S.SELECTED, trl=4),
        received(second, "PL", 3, S.WITHDRAWN, withdrawn_at=timezone.now()),
    ]
    de = [received(first, "DE", 4, S.REJECTED), received(second, "DE", 5, S.IN_REVIEW, trl=3)]
    other = [received(first, "NO", 6, S.RESERVE)]
    draft = ApplicationFactory(organisation=OrganisationFactory(hq_nation="PL"), challenge=first)
    quantum = TechnologyArea.objects.get(slug="quantum")
    tehnopol = SiteFactory(slug="tehnopol", name="Tehnopol", areas=[quantum], managers=[make_user(Role.SITE_MANAGER)])
    gdansk = SiteFactory(slug="gdansk-test", name="Gdańsk test centre", kind=SiteKind.TEST_CENTRE, nation=ally("PL"))
    closed = SiteFactory(slug="closed", name="Closed site", nation=ally("DE"), is_active=False)
    cohort = CohortFactory(programme=programme, name="DIANA 2026 Phase 1")
    run = AllocationRunFactory(cohort=cohort)
    A = AllocationStatus

    def place(application: Application, status: str) -> Allocation:
        team = CohortTeamFactory(cohort=cohort, application=application)
        reason = "Full." if status == A.DECLINED else ""
        return AllocationFactory(team=team, run=run, site=tehnopol, status=status, reason=reason)

    allocations = {
        "PL": [place(pl[0], A.OFFERED), place(pl[1], A.CONFIRMED)],
        "DE": [place(de[0], A.DECLINED)],
        "NO": [place(other[0], A.ACCEPTED)],
    }
    proposals = [place(pl[2], A.PROPOSED), place(de[1], A.PROPOSED)]
    return World(
        programme, hidden, [first, second], hidden_challenge, pl, de, other, draft,
        [tehnopol, gdansk], closed, cohort, allocations, proposals,
    )  # fmt: skip


@pytest.fixture(autouse=True)
def redis_keys_of_this_worker(settings, worker_id):
    """Parallel test workers share one Redis: each counts its throttles and keeps its pages
    (api.cache, whose data version is global) under its own key prefix."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"diana-test-{worker_id}"}}


def token_client(nation: str, name: str | None = None) -> Client:
    issued = api_token_issue(nation=nation, name=name or f"Ministry of Defence ({nation})", by=None)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    client.token = issued.token  # type: ignore[attr-defined]
    client.key = issued.key  # type: ignore[attr-defined]
    return client


@pytest.fixture
def api_clients(db) -> dict[str, Client]:
    """The four audiences of the scoping matrix."""
    staff = Client()
    staff.force_login(make_user(Role.PROGRAMME_MANAGER))
    return {"anonymous": Client(), "ministry PL": token_client("PL"), "ministry DE": token_client("DE"), "staff": staff}
