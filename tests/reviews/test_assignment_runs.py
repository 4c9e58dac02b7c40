"""The solver on database data: the problem built, the Celery task, the proposal edits and
the apply. Conflicts of all three kinds and inactive reviewers never reach the solver."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from applications.enums import ApplicationStatus
from matching import assign_reviewers
from notifications.models import Message
from reviews import services
from reviews.enums import AssignmentStatus, RunState
from reviews.models import Assignment, AssignmentRun, Conflict
from reviews.selectors import problem_build
from reviews.tasks import run_assignment
from tests.applications.factories import add_member
from tests.reviews.factories import (
    assign,
    challenge_in,
    eligible_application,
    make_reviewer,
    programme_with_rubric,
    staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def call():
    """Two applications in autonomy and one in space, four reviewers, k = 2."""
    programme = programme_with_rubric(reviewers_per_application=2)
    autonomy = challenge_in(programme, "autonomy")
    space = challenge_in(programme, "space", "energy")
    apps = [eligible_application(challenge=autonomy), eligible_application(challenge=autonomy)]
    apps.append(eligible_application(challenge=space))
    reviewers = [
        make_reviewer("autonomy", affiliation="Fraunhofer IOSB", email="anna@iosb.example"),
        make_reviewer("autonomy", "space", affiliation="TNO", email="joost@tno.example"),
        make_reviewer("space", "energy", affiliation="FFI", email="kari@ffi.example"),
        make_reviewer("energy", affiliation="ONERA", email="luc@onera.example"),
    ]
    return {"programme": programme, "apps": apps, "reviewers": reviewers, "manager": staff()}


def _pairs(problem) -> set[tuple[str, str]]:
    return {tuple(pair) for pair in problem.data["conflicts"]}


def test_problem_matches_the_contract_with_string_ids_and_areas(call):
    problem = problem_build(programme=call["programme"])

    apps, reviewers = call["apps"], call["reviewers"]
    assert problem.data["reviewers_per_application"] == 2
    assert [row["id"] for row in problem.data["applications"]] == [str(app.pk) for app in apps]
    assert problem.data["applications"][2]["areas"] == ["energy", "space"]
    assert problem.data["reviewers"][1] == {
        "id": str(reviewers[1].pk),
        "nation": "NO",
        "organisation": "tno",
        "areas": ["autonomy", "space"],
        "max_load": 20,
    }
    assert problem.data["conflicts"] == []


def test_conflicts_of_every_kind_and_inactive_reviewers_are_kept_out(call):
    apps, reviewers, manager = call["apps"], call["reviewers"], call["manager"]
    add_member(apps[0].organisation, reviewers[0])  # automatic
    services.conflict_declare_by_staff(reviewer=reviewers[1], application=apps[1], reason="Advisor.", by=manager)
    declared = assign(apps[2], reviewers[2], status=AssignmentStatus.CONFLICTED, by=manager)  # by the reviewer
    services.reviewer_set_active(reviewer=reviewers[3], active=False, reason="Retired.", by=manager)

    problem = problem_build(programme=call["programme"])

    assert declared.status == AssignmentStatus.CONFLICTED
    assert _pairs(problem) == {
        (str(reviewers[0].pk), str(apps[0].pk)),
        (str(reviewers[1].pk), str(apps[1].pk)),
        (str(reviewers[2].pk), str(apps[2].pk)),
    }
    assert str(reviewers[3].pk) not in {row["id"] for row in problem.data["reviewers"]}
    assert problem.excluded_reviewers == 1


def test_an_application_short_of_one_reviewer_is_solved_for_the_missing_place(call):
    apps, reviewers = call["apps"], call["reviewers"]
    assign(apps[0], reviewers[0], by=call["manager"])

    problem = problem_build(programme=call["programme"])

    assert [row["id"] for row in problem.data["applications"]] == [str(apps[1].pk), str(apps[2].pk)]
    assert [row["id"] for row in problem.partial[1]["applications"]] == [str(apps[0].pk)]
    assert [str(reviewers[0].pk), str(apps[0].pk)] in problem.partial[1]["conflicts"]
    assert next(r for r in problem.data["reviewers"] if r["id"] == str(reviewers[0].pk))["max_load"] == 19


def test_the_task_stores_an_optimal_proposal_with_greedys_cost(call):
    run = AssignmentRun.objects.create(programme=call["programme"], created_by=call["manager"])

    assert run_assignment(run_id=run.pk) == RunState.DONE

    run.refresh_from_db()
    expected = assign_reviewers(problem_build(programme=call["programme"]).data)
    assert (run.state, run.progress) == (RunState.DONE, 100)
    assert run.total_cost == expected["total_cost"] == 0 + 0 + 0 + 0 + 10 + 0
    assert run.greedy_cost is not None
    assert run.greedy_cost >= run.total_cost
    assert len(run.proposal["pairs"]) == 6
    assert run.started_at <= run.finished_at


def test_an_impossible_run_says_which_applications_cannot_be_covered(call):
    for reviewer in call["reviewers"][1:]:
        services.reviewer_set_active(reviewer=reviewer, active=False, reason="Away.", by=call["manager"])
    run = AssignmentRun.objects.create(programme=call["programme"], created_by=call["manager"])

    assert run_assignment(run_id=run.pk) == RunState.INFEASIBLE

    run.refresh_from_db()
    assert run.proposal["uncovered"] == [str(app.pk) for app in call["apps"]]
    assert "3 applications cannot be covered by 2 reviewers each" in run.message


def test_a_missing_run_is_logged_not_raised(db, caplog):
    assert run_assignment(run_id=999_999) == "missing"
    assert "assignment run 999999: not found" in caplog.text


def test_staff_edit_then_apply_the_proposal(call, django_capture_on_commit_callbacks):
    run = AssignmentRun.objects.create(programme=call["programme"], created_by=call["manager"])
    run_assignment(run_id=run.pk)
    run.refresh_from_db()
    app_id, rev_id = run.proposal["pairs"][0]

    services.run_remove_pair(run=run, application_id=app_id, reviewer_id=rev_id, by=call["manager"])
    other = run.proposal["pairs"][1]
    with pytest.raises(services.ReviewError, match="already in the proposal"):
        services.run_add_pair(run=run, application_id=other[0], reviewer_id=other[1], by=call["manager"])
    services.run_add_pair(run=run, application_id=app_id, reviewer_id=rev_id, by=call["manager"])
    created = services.run_apply(run=run, by=call["manager"])

    run.refresh_from_db()
    assert (run.state, run.applied_by) == (RunState.APPLIED, call["manager"])
    assert len(created) == 6
    assert set(Assignment.objects.values_list("status", flat=True)) == {AssignmentStatus.ASSIGNED}
    assert {app.status for app in type(call["apps"][0]).objects.filter(pk__in=[a.pk for a in call["apps"]])} == {
        ApplicationStatus.IN_REVIEW
    }
    reviewers_with_work = {assignment.reviewer_id for assignment in created}
    assert Message.objects.filter(key__startswith="review-assigned:", key__endswith=f":run-{run.pk}").count() == len(
        reviewers_with_work
    )
    assert AuditEvent.objects.filter(action="application.start_review").count() == 3
    with pytest.raises(services.ReviewError, match="applied"):
        services.run_apply(run=run, by=call["manager"])


def test_apply_refuses_a_pair_conflicted_since_the_run(call):
    run = AssignmentRun.objects.create(programme=call["programme"], created_by=call["manager"])
    run_assignment(run_id=run.pk)
    run.refresh_from_db()
    app_id, rev_id = run.proposal["pairs"][0]
    reviewer = next(r for r in call["reviewers"] if r.pk == rev_id)
    Conflict.objects.create(reviewer=reviewer, application_id=app_id, source="staff", reason="Found late.")

    with pytest.raises(services.ReviewError, match="conflict of interest"):
        services.run_apply(run=run, by=call["manager"])

    assert Assignment.objects.count() == 0


def test_adding_a_conflicted_pair_by_hand_is_refused(call):
    add_member(call["apps"][0].organisation, call["reviewers"][1])
    run = AssignmentRun.objects.create(programme=call["programme"], created_by=call["manager"])
    run_assignment(run_id=run.pk)
    run.refresh_from_db()

    with pytest.raises(services.ReviewError, match="conflict of interest"):
        services.run_add_pair(
            run=run, application_id=call["apps"][0].pk, reviewer_id=call["reviewers"][1].pk, by=call["manager"]
        )


def _done_run(call) -> AssignmentRun:
    run = AssignmentRun.objects.create(programme=call["programme"], created_by=call["manager"])
    run_assignment(run_id=run.pk)
    run.refresh_from_db()
    return run


def test_adding_a_pair_to_an_application_that_has_its_k_reviewers_is_refused(call):
    run = _done_run(call)
    application = call["apps"][0]
    on_it = {rev for app, rev in run.proposal["pairs"] if app == application.pk}
    other = next(reviewer for reviewer in call["reviewers"] if reviewer.pk not in on_it)

    with pytest.raises(services.ReviewError) as refused:
        services.run_add_pair(run=run, application_id=application.pk, reviewer_id=other.pk, by=call["manager"])

    assert str(refused.value) == (
        f"{application.reference} already has the 2 reviewers it needs in this proposal. "
        "Remove one of them before adding another."
    )
    run.refresh_from_db()
    assert len([app for app, _rev in run.proposal["pairs"] if app == application.pk]) == 2


def test_apply_refuses_an_application_given_a_reviewer_by_hand_since_the_run(call):
    run = _done_run(call)
    application = call["apps"][0]
    on_it = {rev for app, rev in run.proposal["pairs"] if app == application.pk}
    other = next(reviewer for reviewer in call["reviewers"] if reviewer.pk not in on_it)
    services.assignment_create(application=application, reviewer=other, by=call["manager"])

    with pytest.raises(services.ReviewError, match=f"{application.reference} would have more than 2 reviewers"):
        services.run_apply(run=run, by=call["manager"])

    assert Assignment.objects.count() == 1


def test_starting_a_run_queues_the_task_on_commit_and_refuses_a_second(call, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        run = services.run_start(programme=call["programme"], challenge=None, by=call["manager"])

    assert len(callbacks) == 1
    with pytest.raises(services.ReviewError, match="already under way"):
        services.run_start(programme=call["programme"], challenge=None, by=call["manager"])
    assert run.state == RunState.QUEUED


def test_the_progress_endpoint_asks_htmx_to_reload_once_finished(call, client):
    client.force_login(call["manager"])
    run = AssignmentRun.objects.create(programme=call["programme"], created_by=call["manager"])
    url = reverse("reviews:run_progress", args=[run.pk])

    waiting = client.get(url, headers={"HX-Request": "true"})
    run_assignment(run_id=run.pk)
    done = client.get(url, headers={"HX-Request": "true"})

    assert 'hx-trigger="every 1s"' in waiting.content.decode()
    assert "HX-Refresh" not in waiting
    assert done["HX-Refresh"] == "true"
    assert 'value="100"' in done.content.decode()


def test_a_deactivated_reviewer_still_on_an_application_does_not_break_the_run(call):
    """Their live assignment makes the pair a conflict, but a reviewer who is not in the
    solver's input may not be named in its conflicts (DESIGN §7.3: unknown ids are a bad
    input): the run failed with "conflicts[0][0] names unknown reviewer"."""
    apps, reviewers, manager = call["apps"], call["reviewers"], call["manager"]
    assign(apps[2], reviewers[3], by=manager)
    services.reviewer_set_active(reviewer=reviewers[3], active=False, reason="On leave.", by=manager)
    run = AssignmentRun.objects.create(programme=call["programme"], created_by=manager)

    partial = problem_build(programme=call["programme"]).partial[1]
    assert partial["conflicts"] == []
    assert assign_reviewers(partial)["feasible"] is True
    assert run_assignment(run_id=run.pk) == RunState.DONE

    run.refresh_from_db()
    assert run.message == ""
    places = sorted(app for app, _rev in run.proposal["pairs"])
    assert places == sorted([apps[0].pk, apps[0].pk, apps[1].pk, apps[1].pk, apps[2].pk])


def test_a_reviewer_whose_load_the_first_input_used_up_does_not_break_the_second(call):
    """apps[0] already has reviewers[0] (one place missing: the second input). The first
    input gives reviewers[0] their last place, on apps[1]; the second input, without them,
    still held their conflict with apps[0], and the run failed."""
    apps, reviewers, manager = call["apps"], call["reviewers"], call["manager"]
    profile = reviewers[0].reviewer_profile
    profile.max_load = 2
    profile.save(update_fields=["max_load"])
    assign(apps[0], reviewers[0], by=manager)
    run = AssignmentRun.objects.create(programme=call["programme"], created_by=manager)

    assert run_assignment(run_id=run.pk) == RunState.DONE

    run.refresh_from_db()
    pairs = {tuple(pair) for pair in run.proposal["pairs"]}
    assert (apps[1].pk, reviewers[0].pk) in pairs
    assert (apps[0].pk, reviewers[0].pk) not in pairs
    assert len(pairs) == 5
