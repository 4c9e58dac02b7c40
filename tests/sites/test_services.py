"""The sites services: cohort building, preferences, runs, offers, answers and confirmation."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from accounts.enums import Role
from accounts.models import AuditEvent
from applications.enums import ApplicationStatus
from notifications.models import Message
from sites import services
from sites.enums import AllocationStatus, CohortPhase, CohortState, RunState, SitesError, TransitionError
from sites.models import Allocation, AllocationRun, Cohort, CohortTeam, ForbiddenPair
from sites.tasks import run_allocation
from tests.applications.factories import ApplicationFactory, ChallengeFactory, ProgrammeFactory
from tests.challenges.factories import TechnologyAreaFactory
from tests.factories import make_user
from tests.reviews.board_factories import (
    challenge_of,
    in_review_application,
    reviewer,
    rubric_programme,
    submitted_review,
)
from tests.sites.factories import (
    AllocationFactory,
    CohortFactory,
    CohortTeamFactory,
    SiteFactory,
    rank,
    selected_application,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return make_user(Role.PROGRAMME_MANAGER)


def run_now(cohort, by) -> AllocationRun:
    """Start a run and execute its Celery task in this process, as the worker would."""
    run = services.allocation_run_start(cohort=cohort, by=by)
    run_allocation(run_id=run.pk)
    run.refresh_from_db()
    return run


# --- Cohorts -----------------------------------------------------------------------------------


def test_cohort_build_takes_every_selected_application_without_inventing_scores(manager):
    programme = ProgrammeFactory()
    challenge = ChallengeFactory(programme=programme)
    chosen = [selected_application(challenge=challenge) for _ in range(3)]
    ApplicationFactory(challenge=challenge, status=ApplicationStatus.DRAFT)
    now = timezone.now()

    cohort = services.cohort_build(
        programme=programme,
        preference_deadline=now + timedelta(days=7),
        answer_deadline=now + timedelta(days=21),
        by=manager,
    )

    teams = CohortTeam.objects.filter(cohort=cohort)
    assert sorted(team.application_id for team in teams) == sorted(a.pk for a in chosen)
    # Nobody reviewed these applications: no score is made up.
    assert [team.score for team in teams] == [None, None, None]
    assert cohort.name == f"{programme.title}: Phase 1"
    assert AuditEvent.objects.filter(action="cohort.build", target_id=str(cohort.pk)).count() == 1


def test_cohort_build_takes_each_team_score_from_the_reviews_ranking(manager):
    # Weights 2, 1, 1 on 0-5 scales: a review's weighted total is on 0-100.
    programme = rubric_programme()
    challenge = challenge_of(programme)
    first, second, unreviewed = (in_review_application(challenge, status=ApplicationStatus.SELECTED) for _ in range(3))
    submitted_review(first, reviewer(), [5, 5, 5])  # 100
    submitted_review(first, reviewer(), [5, 0, 5])  # (2 * 100 + 0 + 100) / 4 = 75
    submitted_review(second, reviewer(), [0, 5, 5])  # (0 + 100 + 100) / 4 = 50
    now = timezone.now()

    cohort = services.cohort_build(
        programme=programme,
        preference_deadline=now + timedelta(days=7),
        answer_deadline=now + timedelta(days=21),
        by=manager,
    )

    scores = dict(CohortTeam.objects.filter(cohort=cohort).values_list("application_id", "score"))
    assert scores == {first.pk: Decimal("87.50"), second.pk: Decimal("50.00"), unreviewed.pk: None}


def test_phase2_cohort_takes_only_the_teams_marked_for_phase2(manager):
    phase1 = CohortFactory(state=CohortState.CONFIRMED)
    marked, other = (CohortTeamFactory(cohort=phase1) for _ in range(2))
    CohortTeam.objects.filter(pk=marked.pk).update(phase2=True)
    now = timezone.now()

    cohort = services.cohort_build(
        programme=phase1.programme,
        phase=CohortPhase.PHASE_2,
        preference_deadline=now + timedelta(days=7),
        answer_deadline=now + timedelta(days=21),
        by=manager,
    )

    # Both applications are selected; only the team marked for Phase 2 goes on.
    assert list(cohort.teams.values_list("application_id", flat=True)) == [marked.application_id]
    assert other.application.status == ApplicationStatus.SELECTED


def test_phase2_cohort_is_refused_before_any_team_is_marked(manager):
    phase1 = CohortFactory(state=CohortState.CONFIRMED)
    CohortTeamFactory(cohort=phase1)
    now = timezone.now()

    with pytest.raises(SitesError, match="marked for Phase 2 yet"):
        services.cohort_build(
            programme=phase1.programme,
            phase=CohortPhase.PHASE_2,
            preference_deadline=now + timedelta(days=7),
            answer_deadline=now + timedelta(days=21),
            by=manager,
        )
    assert not Cohort.objects.filter(phase=CohortPhase.PHASE_2).exists()


def test_cohort_build_refuses_a_second_cohort_for_the_same_phase(manager):
    cohort = CohortFactory()
    selected_application(challenge=ChallengeFactory(programme=cohort.programme))
    now = timezone.now()

    with pytest.raises(SitesError, match="already has a cohort for this phase"):
        services.cohort_build(
            programme=cohort.programme,
            preference_deadline=now + timedelta(days=1),
            answer_deadline=now + timedelta(days=2),
            by=manager,
        )


def test_cohort_build_refuses_a_programme_with_nobody_selected(manager):
    now = timezone.now()
    with pytest.raises(SitesError, match="no selected application"):
        services.cohort_build(
            programme=ProgrammeFactory(),
            preference_deadline=now + timedelta(days=1),
            answer_deadline=now + timedelta(days=2),
            by=manager,
        )


# --- Preferences ---------------------------------------------------------------------------------


def test_preferences_set_replaces_the_ranking_until_the_deadline(manager):
    deadline = timezone.now() + timedelta(days=2)
    team = CohortTeamFactory(cohort=CohortFactory(preference_deadline=deadline))
    first, second, third = SiteFactory(), SiteFactory(), SiteFactory()
    services.preferences_set(team=team, sites=[first, second], by=manager)

    services.preferences_set(team=team, sites=[third, first], by=manager)

    assert list(team.preferences.values_list("site_id", "rank")) == [(third.pk, 1), (first.pk, 2)]
    with time_machine.travel(deadline - timedelta(seconds=1), tick=False):
        services.preferences_set(team=team, sites=[second], by=manager)
    with time_machine.travel(deadline, tick=False), pytest.raises(services.DeadlinePassed):
        services.preferences_set(team=team, sites=[first], by=manager)


def test_preferences_set_refuses_six_sites_repeats_and_test_centres(manager):
    team = CohortTeamFactory(cohort=CohortFactory(preference_deadline=timezone.now() + timedelta(days=2)))
    sites = [SiteFactory() for _ in range(6)]
    centre = SiteFactory(kind="test_centre")

    with pytest.raises(SitesError, match="at most 5"):
        services.preferences_set(team=team, sites=sites, by=manager)
    with pytest.raises(SitesError, match="only once"):
        services.preferences_set(team=team, sites=[sites[0], sites[0]], by=manager)
    with pytest.raises(SitesError, match="not an active accelerator site"):
        services.preferences_set(team=team, sites=[centre], by=manager)
    assert team.preferences.count() == 0


# --- Runs ----------------------------------------------------------------------------------------


def test_run_refused_before_the_preference_deadline(manager):
    cohort = CohortFactory(preference_deadline=timezone.now() + timedelta(hours=1))

    with pytest.raises(services.DeadlinePassed):
        services.allocation_run_start(cohort=cohort, by=manager)


def test_run_queues_its_task_on_commit(manager, django_capture_on_commit_callbacks):
    cohort = CohortTeamFactory().cohort

    with django_capture_on_commit_callbacks() as callbacks:
        run = services.allocation_run_start(cohort=cohort, by=manager)

    assert len(callbacks) == 1
    assert run.state == RunState.QUEUED
    cohort.refresh_from_db()
    assert cohort.state == CohortState.ALLOCATING


def test_run_places_by_preference_and_fit_and_explains_each_team(manager):
    quantum, energy = TechnologyAreaFactory(), TechnologyAreaFactory()
    cohort = CohortFactory()
    copenhagen = SiteFactory(name="Copenhagen", capacity=1, areas=[quantum])
    tallinn = SiteFactory(name="Tallinn", capacity=1, areas=[energy])
    first = CohortTeamFactory(cohort=cohort, score=Decimal("90"))
    first.application.challenge.technology_areas.set([quantum])
    second = CohortTeamFactory(cohort=cohort, score=Decimal("70"))
    second.application.challenge.technology_areas.set([quantum])
    third = CohortTeamFactory(cohort=cohort, score=Decimal("60"))
    third.application.challenge.technology_areas.set([energy])
    rank(first, copenhagen, tallinn)
    rank(second, copenhagen)
    rank(third, copenhagen, tallinn)

    run = run_now(cohort, manager)

    assert run.state == RunState.DONE
    assert run.progress == 1.0
    placed = {a.team_id: a.site_id for a in Allocation.objects.filter(run=run)}
    # Two seats, three teams. Leaving out the 70-score team (penalty 1070) costs 1080 in all;
    # leaving out the 60-score one instead (1060) would put the quantum team at Tallinn,
    # off its list and with no shared area (300): 1360.
    teams = {row["team"]: row for row in run.result["teams"]}
    assert run.total_cost == sum(row["cost"] for row in teams.values())
    assert len(placed) == 2
    assert all(a.status == AllocationStatus.PROPOSED for a in Allocation.objects.filter(run=run))
    assert teams[str(third.pk)]["site"] == str(tallinn.pk)
    assert teams[str(third.pk)]["rank"] == 2
    assert teams[str(third.pk)]["fit"] is True
    assert teams[str(third.pk)]["missed"] == [{"site": str(copenhagen.pk), "why": "full"}]
    assert teams[str(first.pk)] == {
        "team": str(first.pk),
        "site": str(copenhagen.pk),
        "rank": 1,
        "fit": True,
        "reason": "",
        "cost": 0,
        "missed": [],
    }
    assert teams[str(second.pk)]["site"] is None
    assert teams[str(second.pk)]["reason"] == "no_seat"
    assert teams[str(second.pk)]["cost"] == 1070
    assert run.total_cost == 0 + 10 + 1070
    assert run.greedy_cost is not None
    assert run.greedy_cost >= run.total_cost  # the greedy baseline can never beat the optimum


def test_no_offer_is_sent_before_approval_then_each_site_manager_is_told(manager):
    cohort = CohortFactory()
    site_manager = make_user(Role.SITE_MANAGER)
    site = SiteFactory(capacity=2, managers=[site_manager])
    for _ in range(2):
        rank(CohortTeamFactory(cohort=cohort), site)

    run = run_now(cohort, manager)
    assert Message.objects.filter(kind="allocation-offer").count() == 0
    assert Allocation.objects.filter(cohort=cohort, status=AllocationStatus.OFFERED).count() == 0

    services.allocation_run_approve(run=run, by=manager)

    offers = list(Message.objects.filter(kind="allocation-offer"))
    expected_key = f"offer:{run.pk}:{site.pk}:{site_manager.pk}"
    assert [(m.recipient_id, m.key) for m in offers] == [(site_manager.pk, expected_key)]
    assert offers[0].context["count"] == 2
    assert Allocation.objects.filter(cohort=cohort, status=AllocationStatus.OFFERED).count() == 2
    with pytest.raises(SitesError, match="already approved"):
        services.allocation_run_approve(run=run, by=manager)


def test_a_new_run_supersedes_an_unapproved_one_and_its_proposals(manager):
    cohort = CohortFactory()
    rank(CohortTeamFactory(cohort=cohort), SiteFactory())
    old = run_now(cohort, manager)

    new = run_now(cohort, manager)

    old.refresh_from_db()
    assert old.state == RunState.SUPERSEDED
    assert list(Allocation.objects.filter(cohort=cohort).values_list("run_id", flat=True)) == [new.pk]


# --- Answers -------------------------------------------------------------------------------------


def test_accept_then_confirm(manager):
    site_manager = make_user(Role.SITE_MANAGER)
    offer = AllocationFactory(site=SiteFactory(managers=[site_manager]), run__approved_by=manager)

    services.allocation_accept(allocation=offer, by=site_manager)
    offer.refresh_from_db()
    assert (offer.status, offer.answered_by) == (AllocationStatus.ACCEPTED, site_manager)
    answer = Message.objects.get(kind="allocation-answer")
    assert (answer.recipient_id, answer.context["accepted"]) == (manager.pk, True)

    services.allocation_confirm(allocation=offer, by=manager)
    offer.refresh_from_db()
    assert offer.status == AllocationStatus.CONFIRMED
    with pytest.raises(TransitionError):
        services.allocation_confirm(allocation=offer, by=manager)


def test_decline_needs_a_reason_and_forbids_the_pair(manager):
    site_manager = make_user(Role.SITE_MANAGER)
    offer = AllocationFactory(site=SiteFactory(managers=[site_manager]), run__approved_by=manager)

    with pytest.raises(SitesError, match="reason"):
        services.allocation_decline(allocation=offer, by=site_manager, reason="  ")
    services.allocation_decline(allocation=offer, by=site_manager, reason="No quantum lab this year.")

    offer.refresh_from_db()
    assert (offer.status, offer.reason) == (AllocationStatus.DECLINED, "No quantum lab this year.")
    assert list(ForbiddenPair.objects.values_list("team_id", "site_id")) == [(offer.team_id, offer.site_id)]
    assert Message.objects.get(kind="allocation-answer").context["reason"] == "No quantum lab this year."
    with pytest.raises(TransitionError):
        services.allocation_accept(allocation=offer, by=site_manager)


def test_only_a_manager_of_the_site_may_answer():
    other = make_user(Role.SITE_MANAGER)
    offer = AllocationFactory(site=SiteFactory(managers=[make_user(Role.SITE_MANAGER)]))

    with pytest.raises(SitesError, match="Only a manager of this site"):
        services.allocation_accept(allocation=offer, by=other)


def test_answers_close_at_the_answer_deadline():
    site_manager = make_user(Role.SITE_MANAGER)
    offer = AllocationFactory(site=SiteFactory(managers=[site_manager]))
    deadline = offer.cohort.answer_deadline

    with time_machine.travel(deadline, tick=False), pytest.raises(services.DeadlinePassed):
        services.allocation_accept(allocation=offer, by=site_manager)
    with time_machine.travel(deadline - timedelta(seconds=1), tick=False):
        services.allocation_accept(allocation=offer, by=site_manager)


def test_accept_refused_once_the_site_is_full():
    site_manager = make_user(Role.SITE_MANAGER)
    site = SiteFactory(capacity=1, managers=[site_manager])
    cohort = CohortFactory()
    first = AllocationFactory(site=site, team__cohort=cohort)
    second = AllocationFactory(site=site, team__cohort=cohort)
    services.allocation_accept(allocation=first, by=site_manager)

    with pytest.raises(services.SiteFull, match="1 of 1 seats"):
        services.allocation_accept(allocation=second, by=site_manager)


# --- Re-allocation --------------------------------------------------------------------------------


def test_rerun_after_a_decline_keeps_accepted_teams_and_never_reuses_the_pair(manager):
    site_manager = make_user(Role.SITE_MANAGER)
    cohort = CohortFactory()
    popular = SiteFactory(name="Popular", capacity=2, managers=[site_manager])
    other = SiteFactory(name="Other", capacity=2)
    kept, declined = CohortTeamFactory(cohort=cohort), CohortTeamFactory(cohort=cohort)
    rank(kept, popular, other)
    rank(declined, popular, other)
    run = run_now(cohort, manager)
    services.allocation_run_approve(run=run, by=manager)
    offers = {a.team_id: a for a in Allocation.objects.filter(cohort=cohort)}
    services.allocation_accept(allocation=offers[kept.pk], by=site_manager)
    services.allocation_decline(allocation=offers[declined.pk], by=site_manager, reason="Out of scope.")

    rerun = run_now(cohort, manager)

    assert [team["id"] for team in rerun.problem["teams"]] == [str(declined.pk)]
    capacities = {site["id"]: site["capacity"] for site in rerun.problem["sites"]}
    assert capacities[str(popular.pk)] == 1  # one seat held by the accepted team
    assert rerun.problem["forbidden"] == [[str(declined.pk), str(popular.pk)]]
    assert rerun.result["assignments"] == [{"team": str(declined.pk), "site": str(other.pk)}]
    assert rerun.result["held"] == [{"team": str(kept.pk), "site": str(popular.pk), "status": "accepted", "cost": 200}]
    offers[kept.pk].refresh_from_db()
    assert offers[kept.pk].status == AllocationStatus.ACCEPTED


def test_cohort_confirm_waits_for_answers_then_confirms_every_accepted_one(manager):
    site_manager = make_user(Role.SITE_MANAGER)
    cohort = CohortFactory(state=CohortState.ALLOCATING)
    site = SiteFactory(managers=[site_manager])
    accepted = AllocationFactory(site=site, team__cohort=cohort)
    pending = AllocationFactory(site=site, team__cohort=cohort)
    services.allocation_accept(allocation=accepted, by=site_manager)

    with pytest.raises(SitesError, match="1 allocation still awaits"):
        services.cohort_confirm(cohort=cohort, by=manager)
    services.allocation_decline(allocation=pending, by=site_manager, reason="Full programme.")
    assert services.cohort_confirm(cohort=cohort, by=manager) == 1

    accepted.refresh_from_db()
    cohort.refresh_from_db()
    assert accepted.status == AllocationStatus.CONFIRMED
    assert cohort.state == CohortState.CONFIRMED
    with pytest.raises(SitesError, match="confirmed"):
        services.allocation_run_start(cohort=cohort, by=manager)


def test_cohort_model_is_unique_per_programme_phase():
    cohort = CohortFactory()
    assert Cohort.objects.filter(programme=cohort.programme).count() == 1


def test_a_run_delivered_twice_is_solved_once(manager):
    cohort = CohortFactory()
    rank(CohortTeamFactory(cohort=cohort), SiteFactory())
    run = run_now(cohort, manager)
    finished_at = run.finished_at

    assert run_allocation(run_id=run.pk) == RunState.DONE

    run.refresh_from_db()
    assert run.finished_at == finished_at
    assert Allocation.objects.filter(cohort=cohort).count() == 1


def test_a_run_no_worker_finished_is_given_up_after_fifteen_minutes(manager):
    cohort = CohortTeamFactory().cohort
    stuck = services.allocation_run_start(cohort=cohort, by=manager)

    with (
        time_machine.travel(timezone.now() + timedelta(minutes=14), tick=False),
        pytest.raises(SitesError, match="already in progress"),
    ):
        services.allocation_run_start(cohort=cohort, by=manager)
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        fresh = services.allocation_run_start(cohort=cohort, by=manager)

    stuck.refresh_from_db()
    assert (stuck.state, stuck.error) == (
        RunState.FAILED,
        "No worker finished this run within 15 minutes; it was given up.",
    )
    assert fresh.state == RunState.QUEUED
    assert run_allocation(run_id=stuck.pk) == RunState.FAILED  # a late delivery changes nothing


def test_the_task_logs_a_missing_run(caplog):
    assert run_allocation(run_id=987654) is None
    assert "allocation run 987654 not found" in caplog.text


def test_an_offer_unanswered_past_the_deadline_is_withdrawn_by_the_programme_manager(manager):
    site_manager = make_user(Role.SITE_MANAGER)
    cohort = CohortFactory(state=CohortState.ALLOCATING)
    site = SiteFactory(managers=[site_manager])
    accepted = AllocationFactory(site=site, team__cohort=cohort)
    silent = AllocationFactory(site=site, team__cohort=cohort)
    services.allocation_accept(allocation=accepted, by=site_manager)

    with pytest.raises(SitesError, match="until the answer deadline"):
        services.allocation_withdraw(allocation=silent, by=manager)
    with time_machine.travel(cohort.answer_deadline, tick=False):
        services.allocation_withdraw(allocation=silent, by=manager)
        with pytest.raises(TransitionError):
            services.allocation_withdraw(allocation=accepted, by=manager)

    silent.refresh_from_db()
    assert (silent.status, silent.answered_by) == (AllocationStatus.DECLINED, manager)
    assert "No answer before the answer deadline" in silent.reason
    assert list(ForbiddenPair.objects.values_list("team_id", "site_id")) == [(silent.team_id, silent.site_id)]
    assert AuditEvent.objects.filter(action="allocation.withdraw", actor=manager).count() == 1
    told = Message.objects.get(kind="allocation-withdrawn")
    assert told.recipient_id == site_manager.pk
    assert silent.team.application.organisation.name in told.subject
    # The team counts as unplaced for the next run; the accepted team keeps its place.
    assert services.cohort_confirm(cohort=cohort, by=manager) == 1


def test_capacity_cannot_go_below_the_seats_taken_in_a_running_cohort(manager):
    site_manager = make_user(Role.SITE_MANAGER)
    site = SiteFactory(capacity=4, managers=[site_manager])
    cohort = CohortFactory(state=CohortState.ALLOCATING, name="Cohort 2026")
    for _ in range(3):
        services.allocation_accept(allocation=AllocationFactory(site=site, team__cohort=cohort), by=site_manager)
    AllocationFactory(site=site, team__cohort=cohort)  # an offer still unanswered takes no seat

    with pytest.raises(services.CapacityBelowTaken, match="3 seats are already taken at this site in Cohort 2026"):
        services.site_update_by_manager(site=site, by=site_manager, description="", capacity=2)
    with pytest.raises(services.CapacityBelowTaken, match="cannot go below 3"):
        services.site_update(site=site, by=manager, capacity=0)
    site.refresh_from_db()
    assert site.capacity == 4

    services.site_update_by_manager(site=site, by=site_manager, description="", capacity=3)
    site.refresh_from_db()
    assert site.capacity == 3
    # A cohort that ran more than a year ago holds no seat any more.
    cohort.state = CohortState.CONFIRMED
    cohort.save()
    cohort.programme.cohort_starts_on = timezone.now().date() - timedelta(days=400)
    cohort.programme.save()
    services.site_update_by_manager(site=site, by=site_manager, description="", capacity=0)


def test_no_rerun_once_every_team_holds_a_place(manager):
    site_manager = make_user(Role.SITE_MANAGER)
    cohort = CohortFactory(state=CohortState.ALLOCATING)
    site = SiteFactory(managers=[site_manager])
    accepted = AllocationFactory(site=site, team__cohort=cohort)
    offered = AllocationFactory(site=site, team__cohort=cohort)
    services.allocation_accept(allocation=accepted, by=site_manager)

    with pytest.raises(SitesError, match="Every team of this cohort holds a place"):
        services.allocation_run_start(cohort=cohort, by=manager)
    assert not AllocationRun.objects.filter(cohort=cohort, state=RunState.QUEUED).exists()

    services.allocation_decline(allocation=offered, by=site_manager, reason="Out of scope.")
    assert services.allocation_run_start(cohort=cohort, by=manager).state == RunState.QUEUED
