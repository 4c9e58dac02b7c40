"""Each eligibility rule of DESIGN §5, passing and failing, with its own message."""

import dataclasses
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from applications.eligibility import EligibilityFacts, check, stored_message
from applications.enums import ApplicationStatus, Eligibility
from applications.models import Organisation
from applications.services import application_submit
from tests.applications.factories import (
    ApplicationFactory,
    ChallengeFactory,
    OrganisationFactory,
    ProgrammeFactory,
    attach_pitch_deck,
    submitted_application,
)

PASSING = EligibilityFacts(
    nation="PL",
    eligible_nations=frozenset({"PL", "NO", "US"}),
    trl=5,
    trl_min=4,
    trl_max=7,
    funding_requested_eur=100_000,
    phase1_grant_eur=100_000,
    applications_per_organisation=1,
    others_counted=0,
)


def rules(facts: EligibilityFacts) -> list[str]:
    return [problem.rule for problem in check(facts)]


def test_all_rules_pass():
    assert check(PASSING) == []


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"nation": "SE"}, None),  # the programme may list Sweden or not: here it does not
        ({"nation": "UA"}, "nation"),
        ({"trl": 4}, None),
        ({"trl": 7}, None),
        ({"trl": 3}, "trl"),
        ({"trl": 8}, "trl"),
        ({"trl": None}, None),  # missing: the completeness check reports it, not this rule
        ({"trl": 2, "trl_min": None, "trl_max": None}, None),  # no range: any level
        ({"funding_requested_eur": 99_999}, None),
        ({"funding_requested_eur": 100_001}, "funding"),
        ({"funding_requested_eur": None}, None),  # missing, likewise
        ({"others_counted": 1}, "limit"),
        ({"others_counted": 1, "applications_per_organisation": 2}, None),
        ({"others_counted": 2, "applications_per_organisation": 2}, "limit"),
    ],
)
def test_each_rule_at_its_boundary(change, rule):
    facts = dataclasses.replace(PASSING, **change)
    if change.get("nation") == "SE":
        facts = dataclasses.replace(facts, eligible_nations=PASSING.eligible_nations | {"SE"})

    assert rules(facts) == ([rule] if rule else [])


def test_each_rule_has_its_own_message():
    facts = dataclasses.replace(PASSING, nation="UA", trl=9, funding_requested_eur=250_000, others_counted=1)

    messages = {problem.rule: problem.message for problem in check(facts)}

    assert messages == {
        "nation": "Your organisation is headquartered in Ukraine, which is not one of the nations eligible for this "
        "programme. DIANA funds companies headquartered in a NATO Ally.",
        "trl": "This challenge asks for technology at TRL 4 to 7; your application states TRL 9.",
        "funding": "You request EUR 250,000; the Phase 1 grant is at most EUR 100,000.",
        "limit": "Your organisation has already submitted 1 application to this programme, "
        "and each organisation may submit 1.",
    }


def test_the_limit_message_counts_in_the_plural():
    facts = dataclasses.replace(PASSING, others_counted=2, applications_per_organisation=2)

    assert [problem.message for problem in check(facts)] == [
        "Your organisation has already submitted 2 applications to this programme, and each organisation may submit 2."
    ]


def test_a_stored_problem_is_written_in_the_reader_language_not_the_submitter():
    """The rule and its numbers are stored; the message is written when it is shown."""
    (problem,) = check(dataclasses.replace(PASSING, funding_requested_eur=250_000))
    stored = {**problem.as_dict(), "message": "Texte enregistré dans la langue de l'auteur."}

    assert stored["params"] == {"requested": 250_000, "grant": 100_000}
    assert stored_message(stored) == "You request EUR 250,000; the Phase 1 grant is at most EUR 100,000."


def test_a_problem_stored_before_rules_had_parameters_shows_its_stored_text():
    assert stored_message({"rule": "trl", "message": "As stored."}) == "As stored."


# --- Through the submission service ------------------------------------------------------------


@pytest.mark.django_db
def test_submission_of_an_eligible_application_marks_it_eligible():
    application = submitted_application()

    assert application.status == ApplicationStatus.ELIGIBLE
    assert application.eligibility == Eligibility.ELIGIBLE
    assert application.eligibility_problems == []


@pytest.mark.django_db
def test_submission_outside_the_eligible_nations_is_ineligible_with_the_message():
    programme = ProgrammeFactory(eligible_nations=["NO", "DK"])
    application = ApplicationFactory(
        challenge=ChallengeFactory(programme=programme), organisation=OrganisationFactory(hq_nation="SE")
    )
    attach_pitch_deck(application)

    application = application_submit(application=application, by=application.created_by)

    assert application.status == ApplicationStatus.INELIGIBLE
    assert [problem["rule"] for problem in application.eligibility_problems] == ["nation"]
    assert "headquartered in Sweden" in application.eligibility_problems[0]["message"]


@pytest.mark.django_db
def test_a_nation_outside_nato_is_ineligible_by_default():
    application = ApplicationFactory(organisation=OrganisationFactory(hq_nation="CH"))
    attach_pitch_deck(application)

    application = application_submit(application=application, by=application.created_by)

    assert application.status == ApplicationStatus.INELIGIBLE
    assert [problem["rule"] for problem in application.eligibility_problems] == ["nation"]


@pytest.mark.django_db
@pytest.mark.parametrize(("trl", "status"), [(4, "eligible"), (7, "eligible"), (3, "ineligible"), (8, "ineligible")])
def test_submission_checks_the_challenge_trl_range(trl, status):
    application = ApplicationFactory(trl=trl, challenge=ChallengeFactory(trl_min=4, trl_max=7))
    attach_pitch_deck(application)

    assert application_submit(application=application, by=application.created_by).status == status


@pytest.mark.django_db
@pytest.mark.parametrize(("requested", "status"), [(100_000, "eligible"), (100_001, "ineligible")])
def test_submission_checks_the_phase1_grant(requested, status):
    application = ApplicationFactory(funding_requested_eur=requested)
    attach_pitch_deck(application)

    assert application_submit(application=application, by=application.created_by).status == status


@pytest.mark.django_db
def test_second_submission_over_the_organisation_limit_is_ineligible():
    first = submitted_application()
    second = ApplicationFactory(organisation=first.organisation, challenge=ChallengeFactory(programme=first.programme))
    attach_pitch_deck(second)

    second = application_submit(application=second, by=second.created_by)

    assert first.status == ApplicationStatus.ELIGIBLE
    assert second.status == ApplicationStatus.INELIGIBLE
    assert [problem["rule"] for problem in second.eligibility_problems] == ["limit"]


@pytest.mark.django_db
def test_limit_of_two_lets_a_second_submission_through():
    first = submitted_application(challenge__programme__applications_per_organisation=2)
    second = ApplicationFactory(organisation=first.organisation, challenge=ChallengeFactory(programme=first.programme))
    attach_pitch_deck(second)

    assert application_submit(application=second, by=second.created_by).status == ApplicationStatus.ELIGIBLE


@pytest.mark.django_db
def test_a_withdrawn_earlier_submission_does_not_count_against_the_limit():
    from applications.services import application_withdraw

    first = submitted_application()
    application_withdraw(application=first, by=first.created_by)
    second = ApplicationFactory(organisation=first.organisation, challenge=ChallengeFactory(programme=first.programme))
    attach_pitch_deck(second)

    assert application_submit(application=second, by=second.created_by).status == ApplicationStatus.ELIGIBLE


@pytest.mark.django_db
def test_applications_to_another_programme_do_not_count_against_the_limit():
    first = submitted_application()
    other = ApplicationFactory(organisation=first.organisation)  # a new programme
    attach_pitch_deck(other)

    assert application_submit(application=other, by=other.created_by).status == ApplicationStatus.ELIGIBLE


def _lock_waiters() -> int:
    with connection.cursor() as cursor:
        # Inside a transaction, pg_stat_activity answers from a snapshot: drop it first.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _wait_for_lock_waiters(count: int) -> None:
    for _ in range(500):
        if _lock_waiters() >= count:
            return
        time.sleep(0.01)
    raise AssertionError(f"expected {count} sessions waiting for a lock")


def test_two_members_submitting_at_once_get_one_eligible_application_under_a_limit_of_one(transactional_db):
    """The losing interleaving, made certain: the member whose request read the clock
    later takes the organisation's lock first. The other must still count that
    submission, although it is stamped a second after its own."""
    programme = ProgrammeFactory(year=2032)
    organisation = OrganisationFactory()
    drafts = []
    for _ in range(2):
        draft = ApplicationFactory(organisation=organisation, challenge=ChallengeFactory(programme=programme))
        attach_pitch_deck(draft)
        drafts.append(draft)
    later_clock, earlier_clock = drafts
    start = timezone.now()
    errors: list[BaseException] = []

    def submit(application):
        try:
            application_submit(application=application, by=application.created_by)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    with time_machine.travel(start + timedelta(seconds=1), tick=False) as clock:
        threads = [threading.Thread(target=submit, args=(draft,)) for draft in (later_clock, earlier_clock)]
        with transaction.atomic():
            # Hold the organisation's lock, so both requests read the clock and then queue
            # on it: PostgreSQL grants a row lock to its waiters in arrival order.
            Organisation.objects.select_for_update().get(pk=organisation.pk)
            threads[0].start()
            _wait_for_lock_waiters(1)
            clock.move_to(start)
            threads[1].start()
            _wait_for_lock_waiters(2)
        for thread in threads:
            thread.join(timeout=30)

    assert errors == []
    later_clock.refresh_from_db()
    earlier_clock.refresh_from_db()
    assert earlier_clock.submitted_at < later_clock.submitted_at
    assert later_clock.status == ApplicationStatus.ELIGIBLE  # it committed first
    assert earlier_clock.status == ApplicationStatus.INELIGIBLE
    assert [problem["rule"] for problem in earlier_clock.eligibility_problems] == ["limit"]
