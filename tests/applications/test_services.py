"""The services: each change, its refusal, its audit row and the message it queues."""

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import translation

from accounts.models import AuditEvent
from applications import eligibility, messages, services
from applications.enums import ApplicationStatus, Eligibility, MemberRole, TransitionError
from applications.models import Application, Invitation, Membership, Organisation, ReferenceCounter
from notifications.enums import Category, State
from notifications.models import Message
from tests.applications.conftest import deliver
from tests.applications.factories import (
    ApplicationFactory,
    ChallengeFactory,
    OrganisationFactory,
    ProgrammeFactory,
    add_member,
    attach_pitch_deck,
    submitted_application,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S = ApplicationStatus


def actions(target) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


# --- Organisations and members ------------------------------------------------------------------------


def test_organisation_create_makes_the_creator_its_owner():
    user = UserFactory()

    organisation = services.organisation_create(
        by=user,
        name="Aurora Quantum",
        legal_name="Aurora Quantum Oy",
        registration_number="FI-3141592",
        hq_nation="FI",
        size="micro",
        year_founded=2022,
    )

    assert list(organisation.memberships.values_list("user", "role")) == [(user.pk, MemberRole.OWNER)]
    assert actions(organisation) == ["organisation.create"]


def test_a_user_may_belong_to_several_organisations():
    user = UserFactory()
    first, second = OrganisationFactory(owner=user), OrganisationFactory()
    add_member(second, user)

    assert set(user.organisations.all()) == {first, second}


def test_changing_the_hq_nation_moves_drafts_but_not_submitted_applications():
    submitted = submitted_application()
    organisation = submitted.organisation
    draft = ApplicationFactory(organisation=organisation)

    services.organisation_update(organisation=organisation, by=submitted.created_by, hq_nation="DK")

    assert str(Application.objects.get(pk=draft.pk).nation) == "DK"
    assert str(Application.objects.get(pk=submitted.pk).nation) == "NO"


def test_invitation_goes_to_the_outbox_and_out_with_a_link():
    owner = UserFactory(full_name="Ingrid Solberg")
    organisation = OrganisationFactory(owner=owner, name="Fjordlys Sensing")

    invitation = services.invitation_create(organisation=organisation, email="Kari@Example.org", by=owner)

    assert invitation.email == "kari@example.org"
    stored = Message.objects.get()
    assert (stored.to_email, stored.category, stored.kind) == (
        "kari@example.org",
        Category.INVITATION,
        "organisation-invitation",
    )
    sent = deliver()
    assert len(sent) == 1
    message = sent[0]
    assert message.to == ["kari@example.org"]
    assert message.subject == "[DIANA] Ingrid Solberg invites you to join Fjordlys Sensing"
    assert f"/applications/invitations/{invitation.token}/" in message.body


def test_inviting_the_same_address_again_renews_the_invitation_and_sends_it_again():
    owner = UserFactory()
    organisation = OrganisationFactory(owner=owner)
    first = services.invitation_create(organisation=organisation, email="kari@example.org", by=owner)
    Invitation.objects.filter(pk=first.pk).update(expires_at=first.expires_at - timedelta(days=3))

    second = services.invitation_create(organisation=organisation, email="KARI@example.org", by=owner)

    assert first.pk == second.pk
    assert Invitation.objects.count() == 1
    assert Message.objects.filter(to_email="kari@example.org").count() == 2


def test_revoking_an_invitation_withdraws_its_e_mail_if_not_yet_sent():
    owner = UserFactory()
    organisation = OrganisationFactory(owner=owner)
    revoked = services.invitation_create(organisation=organisation, email="kari@example.org", by=owner)
    services.invitation_create(organisation=organisation, email="per@example.org", by=owner)

    services.invitation_revoke(invitation=revoked, by=owner)
    sent = deliver()

    assert [message.to for message in sent] == [["per@example.org"]]
    assert Message.objects.get(to_email="kari@example.org").state == State.CANCELLED


def test_inviting_a_member_is_refused():
    owner = UserFactory()
    organisation = OrganisationFactory(owner=owner)

    with pytest.raises(services.InvitationError, match="already a member"):
        services.invitation_create(organisation=organisation, email=owner.email, by=owner)


def test_invitee_joins_with_the_invited_verified_address():
    owner, invitee = UserFactory(), UserFactory(email="kari@example.org")
    organisation = OrganisationFactory(owner=owner)
    invitation = services.invitation_create(organisation=organisation, email="kari@example.org", by=owner)

    membership = services.invitation_accept(invitation=invitation, by=invitee)

    assert (membership.user, membership.role) == (invitee, MemberRole.MEMBER)
    invitation.refresh_from_db()
    assert invitation.accepted_by == invitee
    with pytest.raises(services.InvitationError, match="expired or has already been used"):
        services.invitation_accept(invitation=invitation, by=invitee)


def test_a_forwarded_invitation_cannot_be_used_by_someone_else():
    owner, stranger = UserFactory(), UserFactory(email="stranger@example.org")
    invitation = services.invitation_create(
        organisation=OrganisationFactory(owner=owner), email="kari@example.org", by=owner
    )

    with pytest.raises(services.InvitationError, match="another e-mail address"):
        services.invitation_accept(invitation=invitation, by=stranger)

    assert not Membership.objects.filter(user=stranger).exists()


def test_an_expired_invitation_cannot_be_used():
    owner, invitee = UserFactory(), UserFactory(email="kari@example.org")
    invitation = services.invitation_create(
        organisation=OrganisationFactory(owner=owner), email="kari@example.org", by=owner
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at)

    with pytest.raises(services.InvitationError, match="expired"):
        services.invitation_accept(invitation=invitation, by=invitee)


def test_owner_removes_a_member_but_not_the_owner():
    owner = UserFactory()
    organisation = OrganisationFactory(owner=owner)
    member = add_member(organisation)

    services.membership_remove(membership=Membership.objects.get(user=member), by=owner)

    assert list(organisation.memberships.values_list("user", flat=True)) == [owner.pk]
    with pytest.raises(services.MembershipError, match="owner cannot be removed"):
        services.membership_remove(membership=Membership.objects.get(user=owner), by=owner)


# --- Drafts ----------------------------------------------------------------------------------------------


def test_start_returns_the_existing_draft_for_the_same_challenge():
    user = UserFactory()
    organisation = OrganisationFactory(owner=user)
    challenge = ChallengeFactory()

    first, created_first = services.application_start(organisation=organisation, challenge=challenge, by=user)
    second, created_second = services.application_start(organisation=organisation, challenge=challenge, by=user)

    assert (created_first, created_second, first.pk) == (True, False, second.pk)
    assert (first.programme, first.status, str(first.nation)) == (challenge.programme, S.DRAFT, "NO")
    assert actions(first) == ["application.create"]


def test_start_on_an_unpublished_challenge_is_refused():
    with pytest.raises(services.NotEditable):
        services.application_start(
            organisation=OrganisationFactory(), challenge=ChallengeFactory(published=False), by=UserFactory()
        )


def test_section_save_bumps_the_section_version_and_saves_only_its_fields():
    application = ApplicationFactory(team="")

    saved = services.application_update_section(
        application=application,
        section="team",
        values={"team": "Eight engineers."},
        expected_version=0,
        by=application.created_by,
    )

    assert saved.team == "Eight engineers."
    assert services.section_version(saved, "team") == 1
    assert saved.section_versions["team"]["by"] == application.created_by.get_full_name()
    assert saved.version == 2


def test_stale_section_save_is_refused_and_keeps_the_other_text():
    application = ApplicationFactory(team="")
    alice, bob = UserFactory(full_name="Alice Berg"), UserFactory(full_name="Bob Lund")
    # Both opened the page at version 0; Alice saves first.
    services.application_update_section(
        application=application, section="team", values={"team": "Alice's team text."}, expected_version=0, by=alice
    )

    with pytest.raises(services.StaleSection) as stale:
        services.application_update_section(
            application=application, section="team", values={"team": "Bob's team text."}, expected_version=0, by=bob
        )

    assert stale.value.application.team == "Alice's team text."
    assert stale.value.saved_by == "Alice Berg"
    assert "Alice Berg saved this section after you opened it" in str(stale.value)
    assert Application.objects.get(pk=application.pk).team == "Alice's team text."


def test_saves_to_different_sections_by_two_members_do_not_clash():
    application = ApplicationFactory()
    alice, bob = UserFactory(), UserFactory()

    services.application_update_section(
        application=application, section="team", values={"team": "New team."}, expected_version=0, by=alice
    )
    services.application_update_section(
        application=application,
        section="commercial",
        values={"commercial_viability": "New market."},
        expected_version=0,
        by=bob,
    )

    saved = Application.objects.get(pk=application.pk)
    assert (saved.team, saved.commercial_viability) == ("New team.", "New market.")


def test_saving_unchanged_text_with_an_old_version_is_not_a_conflict():
    application = ApplicationFactory(team="Same.")
    services.application_update_section(
        application=application, section="team", values={"team": "Changed."}, expected_version=0, by=UserFactory()
    )
    services.application_update_section(
        application=application, section="team", values={"team": "Same."}, expected_version=1, by=UserFactory()
    )

    saved = services.application_update_section(
        application=application, section="team", values={"team": "Same."}, expected_version=0, by=UserFactory()
    )

    assert saved.team == "Same."


def test_a_submitted_application_cannot_be_edited():
    application = submitted_application()

    with pytest.raises(services.NotEditable, match="can no longer be changed"):
        services.application_update_section(
            application=application, section="team", values={"team": "x"}, expected_version=0, by=UserFactory()
        )


# --- Submission ----------------------------------------------------------------------------------------


def test_submission_lists_every_missing_piece_by_section():
    application = ApplicationFactory(title="", solution="  ", trl=None, dual_use="")

    with pytest.raises(services.IncompleteApplication) as error:
        services.application_submit(application=application, by=application.created_by)

    assert error.value.missing == {
        "The solution": ["project title", "the solution"],
        "Defence and dual-use relevance": ["dual-use potential"],
        "Technology readiness": ["technology readiness level"],
        "Attachments": ["Pitch deck"],
    }
    assert Application.objects.get(pk=application.pk).status == S.DRAFT


def test_submission_gives_a_reference_and_records_two_audit_rows():
    application = submitted_application(challenge__programme__year=2027)

    assert re.fullmatch(r"DIANA-2027-\d{5}", application.reference)
    assert application.reference == "DIANA-2027-00001"
    # (The factory makes the draft directly, so there is no "application.create" row here.)
    assert actions(application) == ["application.attachment", "application.submit", "application.eligibility"]
    eligibility_event = AuditEvent.objects.get(action="application.eligibility", target_id=str(application.pk))
    assert (eligibility_event.actor, eligibility_event.before, eligibility_event.after) == (
        None,
        {"status": "submitted"},
        {"status": "eligible", "problems": []},
    )


def test_references_count_up_per_year_across_programmes():
    programme_a = ProgrammeFactory(year=2028)
    programme_b = ProgrammeFactory(year=2028)
    other_year = ProgrammeFactory(year=2029)

    references = [
        submitted_application(challenge__programme=programme).reference
        for programme in (programme_a, programme_b, programme_a, other_year)
    ]

    assert references == ["DIANA-2028-00001", "DIANA-2028-00002", "DIANA-2028-00003", "DIANA-2029-00001"]
    assert ReferenceCounter.objects.get(year=2028).last_number == 3


def test_a_refused_submission_takes_no_number():
    programme = ProgrammeFactory(year=2030)
    incomplete = ApplicationFactory(challenge__programme=programme, title="")
    with pytest.raises(services.IncompleteApplication):
        services.application_submit(application=incomplete, by=incomplete.created_by)

    assert submitted_application(challenge__programme=programme).reference == "DIANA-2030-00001"


def test_submitting_twice_is_a_transition_error():
    application = submitted_application()

    with pytest.raises(TransitionError):
        services.application_submit(application=application, by=application.created_by)


def test_a_refused_submission_leaves_no_message():
    application = ApplicationFactory(title="")

    with pytest.raises(services.IncompleteApplication):
        services.application_submit(application=application, by=application.created_by)

    assert not Message.objects.exists()


def test_a_submission_rolled_back_later_takes_its_confirmation_with_it():
    """The confirmation is written in the submission's transaction: no commit, no message."""
    application = ApplicationFactory()
    attach_pitch_deck(application)

    def submit_then_fail():
        with transaction.atomic():
            services.application_submit(application=application, by=application.created_by)
            raise RuntimeError("the request failed after the service returned")

    with pytest.raises(RuntimeError):
        submit_then_fail()

    assert not Message.objects.filter(kind="application-submitted").exists()
    assert Application.objects.get(pk=application.pk).status == S.DRAFT


def test_submission_confirmation_reaches_every_member_with_the_reference():
    owner = UserFactory(full_name="Ingrid Solberg", email="ingrid@example.org")
    organisation = OrganisationFactory(owner=owner)
    add_member(organisation, UserFactory(email="kari@example.org"))
    application = ApplicationFactory(organisation=organisation, created_by=owner)
    attach_pitch_deck(application)

    application = services.application_submit(application=application, by=owner)

    stored = Message.objects.filter(kind="application-submitted")
    assert sorted(stored.values_list("key", flat=True)) == sorted(
        f"submitted:{application.pk}:{member.pk}" for member in application.organisation.members.all()
    )
    sent = deliver()
    assert sorted(message.to[0] for message in sent) == ["ingrid@example.org", "kari@example.org"]
    first = next(message for message in sent if message.to == ["ingrid@example.org"])
    assert first.subject == f"[DIANA] Application {application.reference} received"
    assert "Dear Ingrid Solberg" in first.body
    assert f"Reference: {application.reference}" in first.body
    assert f"/applications/{application.pk}/" in first.body


def test_an_ineligible_submission_confirmation_lists_each_problem_in_words():
    owner = UserFactory(email="hq@example.org")
    organisation = OrganisationFactory(owner=owner, hq_nation="CH")  # not an Ally
    application = ApplicationFactory(organisation=organisation, created_by=owner)
    attach_pitch_deck(application)

    application = services.application_submit(application=application, by=owner)

    assert application.eligibility == Eligibility.INELIGIBLE
    assert [problem["rule"] for problem in application.eligibility_problems] == ["nation"]
    body = deliver()[0].body
    assert "The eligibility check found these problems:" in body
    for problem in application.eligibility_problems:
        assert f"- {eligibility.stored_message(problem)}" in body


def test_deadlines_in_messages_name_the_month_in_the_active_language():
    instant = datetime(2026, 12, 20, 17, 0, tzinfo=UTC)

    with translation.override("fr"):
        assert messages.deadline_text(instant) == "20 décembre 2026, 17:00 UTC"
    with translation.override("en"):
        assert messages.deadline_text(instant) == "20 December 2026, 17:00 UTC"


def test_an_invitation_sent_from_a_french_page_is_all_in_the_portal_language():
    """The mail's text is rendered in the portal's language (English): the date inside
    it must not follow the language of the member who pressed Invite."""
    owner = UserFactory()
    organisation = OrganisationFactory(owner=owner)

    with time_machine.travel(datetime(2026, 12, 6, 17, 0, tzinfo=UTC), tick=False):
        with translation.override("fr"):
            services.invitation_create(organisation=organisation, email="kari@example.org", by=owner)
        body = deliver()[0].body

    assert "The invitation is valid until 20 December 2026, 17:00 UTC." in body
    assert "décembre" not in body


def test_a_submission_from_a_french_page_confirms_in_the_portal_language():
    owner = UserFactory()
    organisation = OrganisationFactory(owner=owner, hq_nation="CH")  # not an Ally
    application = ApplicationFactory(organisation=organisation, created_by=owner)
    attach_pitch_deck(application)

    with translation.override("fr"):
        services.application_submit(application=application, by=owner)

    body = deliver()[0].body
    assert "- Your organisation is headquartered in Switzerland, which is not one of the nations" in body
    assert "Suisse" not in body


def test_concurrent_submissions_get_distinct_consecutive_references(transactional_db):
    """Two submissions at the same instant, on two connections: the counter row lock
    serialises them, so neither number is taken twice."""
    programme = ProgrammeFactory(year=2031)
    applications = []
    for _ in range(4):
        application = ApplicationFactory(challenge__programme=programme)
        attach_pitch_deck(application)
        applications.append(application)
    barrier = threading.Barrier(len(applications))
    errors: list[BaseException] = []

    def submit(application):
        try:
            barrier.wait(timeout=10)
            services.application_submit(application=application, by=application.created_by)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(application,)) for application in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    references = sorted(Application.objects.filter(programme=programme).values_list("reference", flat=True))
    assert references == [f"DIANA-2031-0000{n}" for n in range(1, 5)]


# --- Withdrawal and override ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.DRAFT, S.ELIGIBLE])
def test_withdrawal_from_an_allowed_status_is_audited_and_confirmed(status):
    application = submitted_application() if status == S.ELIGIBLE else ApplicationFactory()
    owner = application.created_by
    Membership.objects.get_or_create(organisation=application.organisation, user=owner)

    withdrawn = services.application_withdraw(application=application, by=owner, reason="Acquired by a prime.")

    assert withdrawn.status == S.WITHDRAWN
    event = AuditEvent.objects.get(action="application.withdraw", target_id=str(application.pk))
    assert (event.before, event.after, event.reason) == (
        {"status": status},
        {"status": "withdrawn"},
        "Acquired by a prime.",
    )
    withdrawal_mail = [m for m in deliver() if "withdrawn" in m.subject]
    assert [m.to for m in withdrawal_mail] == [[owner.email]]


@pytest.mark.parametrize("status", [S.INELIGIBLE, S.SELECTED, S.REJECTED, S.RESERVE, S.WITHDRAWN])
def test_withdrawal_from_other_statuses_is_refused(status):
    application = submitted_application()
    Application.objects.filter(pk=application.pk).update(status=status)

    with pytest.raises(TransitionError):
        services.application_withdraw(application=application, by=application.created_by)


def test_withdrawal_confirmation_is_stored_once_per_member():
    application = ApplicationFactory()
    add_member(application.organisation)
    add_member(application.organisation)

    services.application_withdraw(application=application, by=application.created_by)

    assert Message.objects.filter(kind="application-withdrawn", category=Category.CONFIRMATION).count() == 2
    assert set(Message.objects.values_list("state", flat=True)) == {State.PENDING}


def test_override_needs_a_reason():
    application = submitted_application(funding_requested_eur=150_000)

    with pytest.raises(services.ReasonRequired):
        services.application_override_eligibility(application=application, eligible=True, reason="  ", by=UserFactory())

    assert Application.objects.get(pk=application.pk).status == S.INELIGIBLE


def test_override_is_audited_with_its_reason_and_keeps_the_check_result():
    application = submitted_application(funding_requested_eur=150_000)
    manager = UserFactory()

    overridden = services.application_override_eligibility(
        application=application, eligible=True, reason="Co-funded by the nation; grant capped at 100k.", by=manager
    )

    assert (overridden.status, overridden.eligibility, overridden.eligibility_overridden) == (
        S.ELIGIBLE,
        Eligibility.ELIGIBLE,
        True,
    )
    assert [problem["rule"] for problem in overridden.eligibility_problems] == ["funding"]
    event = AuditEvent.objects.get(action="application.eligibility_override")
    assert (event.actor, event.reason, event.before["status"], event.after["status"]) == (
        manager,
        "Co-funded by the nation; grant capped at 100k.",
        "ineligible",
        "eligible",
    )


def test_override_of_a_draft_is_refused():
    with pytest.raises(TransitionError):
        services.application_override_eligibility(
            application=ApplicationFactory(), eligible=True, reason="why not", by=UserFactory()
        )


def test_override_to_eligible_is_refused_when_the_organisation_has_used_its_limit():
    first = submitted_application()
    second = submitted_application(
        organisation=first.organisation, challenge=ChallengeFactory(programme=first.programme)
    )
    assert (first.status, second.status) == (S.ELIGIBLE, S.INELIGIBLE)

    with pytest.raises(services.LimitReached, match=rf"limit of 1: {first.reference}\."):
        services.application_override_eligibility(
            application=second, eligible=True, reason="Looks fine to me", by=UserFactory()
        )

    second.refresh_from_db()
    assert (second.status, second.eligibility_overridden) == (S.INELIGIBLE, False)
    assert "application.eligibility_override" not in actions(second)


def test_override_to_eligible_goes_through_once_the_other_application_is_withdrawn():
    first = submitted_application()
    second = submitted_application(
        organisation=first.organisation, challenge=ChallengeFactory(programme=first.programme)
    )
    services.application_withdraw(application=first, by=first.created_by)

    overridden = services.application_override_eligibility(
        application=second, eligible=True, reason="The first one was withdrawn", by=UserFactory()
    )

    assert overridden.status == S.ELIGIBLE


# --- Gaps found by the audit -------------------------------------------------------------------------------


def test_a_revoked_invitation_cannot_be_accepted():
    owner, invitee = UserFactory(), UserFactory(email="kari@example.org")
    invitation = services.invitation_create(
        organisation=OrganisationFactory(owner=owner), email="kari@example.org", by=owner
    )
    services.invitation_revoke(invitation=invitation, by=owner)

    with pytest.raises(services.InvitationError, match="expired or has already been used"):
        services.invitation_accept(invitation=invitation, by=invitee)

    assert not Membership.objects.filter(user=invitee).exists()


def test_revoking_an_accepted_invitation_is_refused_and_changes_nothing():
    owner, invitee = UserFactory(), UserFactory(email="kari@example.org")
    organisation = OrganisationFactory(owner=owner)
    invitation = services.invitation_create(organisation=organisation, email="kari@example.org", by=owner)
    services.invitation_accept(invitation=invitation, by=invitee)

    with pytest.raises(services.InvitationError, match="already accepted"):
        services.invitation_revoke(invitation=invitation, by=owner)

    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert "organisation.revoke_invitation" not in actions(organisation)
    assert Membership.objects.filter(user=invitee, organisation=organisation).exists()


def test_removing_the_same_attachment_twice_is_refused_the_second_time():
    application = ApplicationFactory()
    attachment = attach_pitch_deck(application)
    services.attachment_delete(attachment=attachment, by=application.created_by)

    with pytest.raises(services.AttachmentGone, match="already been removed"):
        services.attachment_delete(attachment=attachment, by=application.created_by)

    assert actions(application).count("application.attachment_delete") == 1


def test_a_draft_for_a_challenge_unpublished_since_cannot_be_submitted():
    application = ApplicationFactory()
    attach_pitch_deck(application)
    application.challenge.published = False
    application.challenge.save(update_fields=["published"])

    with pytest.raises(services.NotEditable, match="no longer open for applications"):
        services.application_submit(application=application, by=application.created_by)

    application.refresh_from_db()
    assert (application.status, application.reference) == (S.DRAFT, None)


def test_the_save_that_settles_a_conflict_keeps_the_replaced_text_in_the_audit_trail():
    application = ApplicationFactory(team="")
    kari, ola = add_member(application.organisation), add_member(application.organisation)
    services.application_update_section(
        application=application, section="team", values={"team": "Kari's team text"}, expected_version=0, by=kari
    )

    services.application_update_section(
        application=application,
        section="team",
        values={"team": "Ola's combined text"},
        expected_version=1,
        by=ola,
        settles_conflict=True,
    )

    event = AuditEvent.objects.get(action="application.section_replace")
    assert (event.actor, event.before, event.after) == (
        ola,
        {"section": "team", "by": kari.get_full_name(), "team": "Kari's team text"},
        {"section": "team", "team": "Ola's combined text"},
    )


def test_members_saving_in_turn_on_the_latest_text_record_nothing_extra():
    """A save that passes the version check was made on the latest text: nothing is lost."""
    application = ApplicationFactory(team="")
    kari, ola = add_member(application.organisation), add_member(application.organisation)
    for version, (member, text) in enumerate([(kari, "Kari's"), (ola, "Ola's, on Kari's"), (kari, "Kari's again")]):
        services.application_update_section(
            application=application, section="team", values={"team": text}, expected_version=version, by=member
        )

    application.refresh_from_db()
    assert application.team == "Kari's again"
    assert not AuditEvent.objects.filter(action="application.section_replace").exists()


def test_saving_over_your_own_text_records_nothing_extra():
    application = ApplicationFactory(team="")
    kari = add_member(application.organisation)
    for version, text in enumerate(["First", "Second", "Third"]):
        services.application_update_section(
            application=application, section="team", values={"team": text}, expected_version=version, by=kari
        )

    assert not AuditEvent.objects.filter(action="application.section_replace").exists()


@pytest.mark.parametrize("typed", ["no 918 273-645", "NO.918.273.645", " no918273645 "])
def test_a_second_organisation_with_the_same_registration_is_refused(typed):
    services.organisation_create(
        by=UserFactory(),
        name="Fjordlys Sensing",
        legal_name="Fjordlys Sensing AS",
        registration_number="NO-918273645",
        hq_nation="NO",
        size="small",
        year_founded=2019,
    )

    with pytest.raises(services.OrganisationExists, match="Ask its owner to invite you"):
        services.organisation_create(
            by=UserFactory(),
            name="Fjordlys Again",
            legal_name="Fjordlys Sensing AS",
            registration_number=typed,
            hq_nation="NO",
            size="small",
            year_founded=2019,
        )

    assert Organisation.objects.count() == 1


def test_the_same_registration_number_in_another_nation_is_another_company():
    OrganisationFactory(registration_number="12345678", hq_nation="NO")

    OrganisationFactory(registration_number="12345678", hq_nation="DK")

    assert Organisation.objects.filter(registration_number="12345678").count() == 2


def test_changing_the_registration_to_another_company_number_is_refused():
    OrganisationFactory(registration_number="NO-918273645", hq_nation="NO")
    owner = UserFactory()
    mine = OrganisationFactory(owner=owner, registration_number="NO-111", hq_nation="NO")

    with pytest.raises(services.OrganisationExists):
        services.organisation_update(organisation=mine, by=owner, registration_number="NO 918 273 645")

    mine.refresh_from_db()
    assert mine.registration_number == "NO-111"
