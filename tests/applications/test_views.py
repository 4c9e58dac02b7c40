"""The applicant's pages: start, sections, autosave, concurrent edits, submission, withdrawal."""

import re

import pytest
from django.urls import reverse

from accounts.allies import NATO_ALLIES
from accounts.models import AuditEvent
from applications.enums import ApplicationStatus
from applications.models import Application, Attachment, Invitation, Membership, Organisation
from applications.services import (
    application_override_eligibility,
    application_update_section,
    application_withdraw,
    invitation_accept,
    invitation_create,
    membership_remove,
)
from challenges.models import Challenge
from tests.applications.conftest import deliver
from tests.applications.factories import (
    COMPLETE_ANSWERS,
    ApplicationFactory,
    ChallengeFactory,
    OrganisationFactory,
    add_member,
    attach_pitch_deck,
    submitted_application,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    user = UserFactory(full_name="Ingrid Solberg")
    client.force_login(user)
    return user


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode().replace("&#x27;", "'"))


def test_organisation_create_returns_to_the_apply_page(client, owner):
    challenge = ChallengeFactory()
    start = reverse("applications:start", args=[challenge.pk])

    response = client.post(
        reverse("applications:organisation_create"),
        {
            "name": "Fjordlys Sensing",
            "legal_name": "Fjordlys Sensing AS",
            "registration_number": "NO-918273645",
            "hq_nation": "NO",
            "size": "small",
            "year_founded": 2020,
            "website": "https://fjordlys.example",
            "description": "Passive radar for the High North.",
            "next": start,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == start
    organisation = Organisation.objects.get()
    assert organisation.memberships.get().user == owner


def test_organisation_create_ignores_a_next_on_another_site(client, owner):
    response = client.post(
        reverse("applications:organisation_create"),
        {
            "name": "X",
            "legal_name": "X Ltd",
            "registration_number": "1",
            "hq_nation": "GB",
            "size": "micro",
            "year_founded": 2021,
            "next": "https://evil.example/",
        },
    )

    assert response["Location"] == Organisation.objects.get().get_absolute_url()


def test_a_year_founded_in_the_future_is_refused(client, owner):
    response = client.post(
        reverse("applications:organisation_create"),
        {
            "name": "X",
            "legal_name": "X",
            "registration_number": "1",
            "hq_nation": "GB",
            "size": "micro",
            "year_founded": 2999,
        },
    )

    assert response.status_code == 200
    assert "year_founded" in response.context["form"].errors


def test_start_creates_a_draft_and_opens_the_first_section(client, owner):
    organisation = OrganisationFactory(owner=owner)
    challenge = ChallengeFactory()

    response = client.post(
        reverse("applications:start", args=[challenge.pk]),
        {"organisation": organisation.pk},
    )

    application = Application.objects.get()
    assert response["Location"] == reverse("applications:section", args=[application.pk, "solution"])
    assert (application.organisation, application.challenge, application.created_by) == (organisation, challenge, owner)


def test_start_refuses_an_organisation_the_user_is_not_in(client, owner):
    OrganisationFactory(owner=owner)
    challenge = ChallengeFactory()

    response = client.post(
        reverse("applications:start", args=[challenge.pk]),
        {"organisation": OrganisationFactory().pk},
    )

    assert response.status_code == 200
    assert not Application.objects.exists()


def test_start_page_without_an_organisation_offers_to_create_one(client, owner):
    challenge = ChallengeFactory()
    start = reverse("applications:start", args=[challenge.pk])

    response = client.get(start)

    assert f'href="{reverse("applications:organisation_create")}?next={start}"' in text(response)


def test_start_of_an_unpublished_challenge_answers_404(client, owner):
    challenge = ChallengeFactory(published=False)

    response = client.get(reverse("applications:start", args=[challenge.pk]))

    assert response.status_code == 404


@pytest.fixture
def draft(owner):
    return ApplicationFactory(organisation=OrganisationFactory(owner=owner), created_by=owner, team="", trl=None)


def test_saving_a_section_keeps_the_text_for_the_next_visit(client, draft):
    url = reverse("applications:section", args=[draft.pk, "team"])

    response = client.post(url, {"team": "Eight engineers from Tromsø.", "version": "0", "continue": ""})

    assert response["Location"] == reverse("applications:section", args=[draft.pk, "trl"])
    page = client.get(url)
    assert "Eight engineers from Tromsø." in page.content.decode()
    assert 'name="version" value="1"' in page.content.decode()


def test_last_section_continues_to_the_attachments(client, draft):
    response = client.post(
        reverse("applications:section", args=[draft.pk, "funding"]),
        {"funding_requested_eur": "90000", "funding_justification": "Field trial.", "version": "0", "continue": ""},
    )

    assert response["Location"] == reverse("applications:attachments", args=[draft.pk])


def test_the_trl_choices_say_what_each_level_means(client, draft):
    html = client.get(reverse("applications:section", args=[draft.pk, "trl"])).content.decode()

    assert ">TRL 3: experimental proof of concept<" in html
    assert ">TRL 6: technology demonstrated in a relevant environment<" in html


def test_a_trl_outside_the_scale_is_a_form_error(client, draft):
    response = client.post(
        reverse("applications:section", args=[draft.pk, "trl"]), {"trl": "12", "trl_justification": "", "version": "0"}
    )

    assert response.status_code == 200
    assert "trl" in response.context["form"].errors
    assert Application.objects.get(pk=draft.pk).trl is None


def test_an_overlong_answer_is_a_form_error(client, draft):
    response = client.post(
        reverse("applications:section", args=[draft.pk, "team"]), {"team": "x" * 5001, "version": "0"}
    )

    assert "team" in response.context["form"].errors


def test_a_stale_save_is_refused_and_both_texts_are_on_the_page(client, draft):
    """Two members opened the team section at version 0. Kari saved first; Ingrid's
    save is refused, her text stays in the form and Kari's is shown beside it."""
    kari = add_member(draft.organisation, UserFactory(full_name="Kari Nordmann"))
    application_update_section(
        application=draft, section="team", values={"team": "Kari's version of the team."}, expected_version=0, by=kari
    )

    response = client.post(
        reverse("applications:section", args=[draft.pk, "team"]),
        {"team": "Ingrid's version of the team.", "version": "0"},
    )

    assert response.status_code == 409
    page = text(response)
    assert "Kari Nordmann saved this section after you opened it, so your changes were not saved." in page
    assert "Ingrid's version of the team.</textarea>" in page  # hers, still in the form
    assert "Kari's version of the team." in page  # theirs, beside it
    assert 'name="version" value="1"' in page  # the next save goes through
    assert Application.objects.get(pk=draft.pk).team == "Kari's version of the team."

    retry = client.post(
        reverse("applications:section", args=[draft.pk, "team"]),
        {"team": "Ingrid and Kari's merged version.", "version": "1"},
    )

    assert retry.status_code == 302
    assert Application.objects.get(pk=draft.pk).team == "Ingrid and Kari's merged version."


def test_autosave_saves_and_hands_back_the_new_version(client, draft):
    response = client.post(
        reverse("applications:autosave", args=[draft.pk, "team"]),
        {"team": "Typed so far", "version": "0"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "Draft saved at" in text(response)
    assert '<input type="hidden" name="version" value="1" id="id_version" hx-swap-oob="true">' in text(response)
    assert Application.objects.get(pk=draft.pk).team == "Typed so far"


def test_autosave_of_a_stale_section_saves_nothing_and_says_so(client, draft):
    kari = add_member(draft.organisation, UserFactory(full_name="Kari Nordmann"))
    application_update_section(
        application=draft, section="team", values={"team": "Kari's."}, expected_version=0, by=kari
    )

    response = client.post(reverse("applications:autosave", args=[draft.pk, "team"]), {"team": "Mine.", "version": "0"})

    assert "Not saved: Kari Nordmann has changed this section." in text(response)
    assert Application.objects.get(pk=draft.pk).team == "Kari's."


def test_section_page_has_the_progress_indicator(client, draft):
    response = client.get(reverse("applications:section", args=[draft.pk, "team"]))

    page = text(response)
    assert "5 of 8 sections complete" in page  # team, TRL and attachments are missing
    assert '<progress class="w-100 mb-3" value="5" max="8"' in page


def test_submit_page_lists_every_missing_piece_grouped_by_section(client, draft):
    response = client.post(reverse("applications:submit", args=[draft.pk]))

    assert response.status_code == 400
    page = text(response)
    for heading, piece in [
        ("The team", "The team"),
        ("Technology readiness", "Technology readiness level"),
        ("Attachments", "Pitch deck"),
    ]:
        assert f'<h3 class="h6 mt-2 mb-1">{heading}</h3> <ul class="mb-1"> <li>{piece}</li>' in page
    assert Application.objects.get(pk=draft.pk).status == ApplicationStatus.DRAFT


def test_review_page_of_an_incomplete_draft_lists_what_is_missing(client, draft):
    response = client.get(reverse("applications:submit", args=[draft.pk]))

    assert response.status_code == 200
    assert "Still missing" in text(response)


def test_submit_page_warns_of_eligibility_problems_before_submission(client, draft):
    Application.objects.filter(pk=draft.pk).update(funding_requested_eur=250_000)

    response = client.get(reverse("applications:submit", args=[draft.pk]))

    assert "You request EUR 250,000; the Phase 1 grant is at most EUR 100,000." in text(response)


def test_submission_shows_the_reference_and_status(client, draft):
    Application.objects.filter(pk=draft.pk).update(team=COMPLETE_ANSWERS["team"], trl=5)
    attach_pitch_deck(draft)

    response = client.post(reverse("applications:submit", args=[draft.pk]), follow=True)

    application = Application.objects.get(pk=draft.pk)
    assert response.redirect_chain == [(reverse("applications:confirmation", args=[draft.pk]), 302)]
    page = text(response)
    assert f'data-testid="reference">{application.reference}</dd>' in page
    assert "Eligible" in page
    assert [message.subject for message in deliver()] == [f"[DIANA] Application {application.reference} received"]


def test_ineligible_submission_shows_each_problem(client, draft):
    Application.objects.filter(pk=draft.pk).update(team="T", trl=9, funding_requested_eur=120_000)
    attach_pitch_deck(draft)

    response = client.post(reverse("applications:submit", args=[draft.pk]), follow=True)

    page = text(response)
    assert "Why this application is not eligible" in page
    assert "This challenge asks for technology at TRL 4 to 7; your application states TRL 9." in page
    assert "You request EUR 120,000; the Phase 1 grant is at most EUR 100,000." in page


def test_detail_shows_the_timeline_of_status_changes(client, draft):
    Application.objects.filter(pk=draft.pk).update(team="T", trl=5)
    attach_pitch_deck(draft)
    client.post(reverse("applications:submit", args=[draft.pk]))
    client.post(reverse("applications:withdraw", args=[draft.pk]), {"reason": "Changed plans."})

    response = client.get(reverse("applications:detail", args=[draft.pk]))

    application = Application.objects.get(pk=draft.pk)
    page = text(response)
    assert application.status == ApplicationStatus.WITHDRAWN
    order = [
        f"Submitted with reference {application.reference}",
        "Eligibility checked automatically: eligible",
        "Withdrawn (was eligible)",
    ]
    positions = [page.index(entry) for entry in order]
    assert positions == sorted(positions)
    assert "UTC</time>" in page


def test_a_submitted_application_has_no_edit_page(client, draft):
    Application.objects.filter(pk=draft.pk).update(team="T", trl=5)
    attach_pitch_deck(draft)
    client.post(reverse("applications:submit", args=[draft.pk]))

    response = client.post(reverse("applications:section", args=[draft.pk, "team"]), {"team": "late", "version": "1"})

    assert response.status_code == 302
    assert Application.objects.get(pk=draft.pk).team == "T"


def test_invitation_link_lets_the_invitee_join(client, owner):
    organisation = OrganisationFactory(owner=owner, name="Fjordlys Sensing")
    client.post(reverse("applications:organisation_invite", args=[organisation.pk]), {"email": "kari@example.org"})
    link = re.search(r"https?://[^/]+(/applications/invitations/\S+/)", deliver()[0].body).group(1)
    kari = UserFactory(email="kari@example.org")
    client.force_login(kari)

    page = client.get(link)
    response = client.post(link)

    assert "Join Fjordlys Sensing" in text(page)
    assert response["Location"] == organisation.get_absolute_url()
    assert Membership.objects.get(user=kari).organisation == organisation


def test_owner_removes_a_member_from_the_organisation_page(client, owner):
    organisation = OrganisationFactory(owner=owner)
    member = add_member(organisation, UserFactory(full_name="Kari Nordmann"))

    page = client.get(organisation.get_absolute_url())
    response = client.post(
        reverse("applications:membership_remove", args=[organisation.pk, Membership.objects.get(user=member).pk])
    )

    assert "Remove Kari Nordmann" in text(page)
    assert response.status_code == 302
    assert not Membership.objects.filter(user=member).exists()


# --- Gaps found by the audit -------------------------------------------------------------------------------


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_conflict_page_does_not_autosave_over_the_other_text(client, draft):
    kari = add_member(draft.organisation, UserFactory(full_name="Kari Nordmann"))
    url = reverse("applications:section", args=[draft.pk, "team"])
    application_update_section(
        application=draft, section="team", values={"team": "Kari's text."}, expected_version=0, by=kari
    )

    normal = client.get(url)
    conflict = client.post(url, {"team": "Ingrid's text.", "version": "0"})

    assert "hx-post=" in text(normal)
    assert conflict.status_code == 409
    assert "hx-post=" not in text(conflict)
    assert "Automatic saving is paused: combine the two texts, then press Save." in text(conflict)


def test_the_save_that_settles_a_conflict_keeps_the_replaced_text(client, owner, draft):
    kari = add_member(draft.organisation, UserFactory(full_name="Kari Nordmann"))
    url = reverse("applications:section", args=[draft.pk, "team"])
    application_update_section(
        application=draft, section="team", values={"team": "Kari's text."}, expected_version=0, by=kari
    )
    conflict = client.post(url, {"team": "Ingrid's text.", "version": "0"})
    marker = '<input type="hidden" name="settles_conflict" value="1">'

    client.post(url, {"team": "Ingrid's text, then Kari's.", "version": "1", "settles_conflict": "1"})

    assert marker in conflict.content.decode()
    event = AuditEvent.objects.get(action="application.section_replace")
    assert (event.actor, event.before["team"], event.after["team"]) == (
        owner,
        "Kari's text.",
        "Ingrid's text, then Kari's.",
    )


def test_saving_after_another_member_without_a_conflict_records_no_replacement(client, owner, draft):
    kari = add_member(draft.organisation, UserFactory(full_name="Kari Nordmann"))
    url = reverse("applications:section", args=[draft.pk, "team"])
    application_update_section(
        application=draft, section="team", values={"team": "Kari's text."}, expected_version=0, by=kari
    )
    page = client.get(url)

    response = client.post(url, {"team": "Kari's text, then Ingrid's.", "version": "1"})

    assert 'name="settles_conflict"' not in page.content.decode()
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.team == "Kari's text, then Ingrid's."
    assert not AuditEvent.objects.filter(action="application.section_replace").exists()


def test_an_overlong_invitation_address_is_refused_with_a_message(client, owner):
    organisation = OrganisationFactory(owner=owner)
    address = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".example"  # 318 characters, otherwise valid

    response = client.post(
        reverse("applications:organisation_invite", args=[organisation.pk]), {"email": address}, follow=True
    )

    assert response.status_code == 200
    assert messages_of(response) == [f"Ensure this value has at most 254 characters (it has {len(address)})."]
    assert not Invitation.objects.exists()


def test_a_second_organisation_with_the_same_registration_is_a_form_error(client, owner):
    OrganisationFactory(registration_number="NO-918273645", hq_nation="NO")

    response = client.post(
        reverse("applications:organisation_create"),
        {
            "name": "Fjordlys Sensing",
            "legal_name": "Fjordlys Sensing AS",
            "registration_number": "no 918 273.645",
            "hq_nation": "NO",
            "size": "small",
            "year_founded": 2020,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "An organisation with this registration number in this nation is already on the portal. "
        "Ask its owner to invite you: they can do so from the organisation's page."
    ]
    assert Organisation.objects.count() == 1


def test_editing_the_registration_to_another_company_number_is_a_form_error(client, owner):
    OrganisationFactory(registration_number="NO-918273645", hq_nation="NO")
    mine = OrganisationFactory(owner=owner, registration_number="NO-111", hq_nation="NO", year_founded=2019)

    response = client.post(
        reverse("applications:organisation_edit", args=[mine.pk]),
        {
            "name": mine.name,
            "legal_name": mine.legal_name,
            "registration_number": "NO918273645",
            "hq_nation": "NO",
            "size": "small",
            "year_founded": 2019,
        },
    )

    assert response.status_code == 200
    assert "Ask its owner to invite you" in response.context["form"].non_field_errors()[0]
    mine.refresh_from_db()
    assert mine.registration_number == "NO-111"


def test_withdrawing_an_accepted_invitation_says_it_cannot(client, owner):
    organisation = OrganisationFactory(owner=owner)
    invitation = invitation_create(organisation=organisation, email="kari@example.org", by=owner)
    invitation_accept(invitation=invitation, by=UserFactory(email="kari@example.org"))

    response = client.post(
        reverse("applications:invitation_revoke", args=[organisation.pk, invitation.pk]), follow=True
    )

    assert messages_of(response) == [
        "kari@example.org has already accepted this invitation. Remove the member instead."
    ]
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_a_revoked_invitation_link_does_not_let_anyone_join(client, owner):
    organisation = OrganisationFactory(owner=owner)
    invitation = invitation_create(organisation=organisation, email="kari@example.org", by=owner)
    client.post(reverse("applications:invitation_revoke", args=[organisation.pk, invitation.pk]))
    kari = UserFactory(email="kari@example.org")
    client.force_login(kari)

    response = client.post(invitation.get_absolute_url())

    assert response.status_code == 200
    assert messages_of(response)[-1] == "This invitation has expired or has already been used. Ask for a new one."
    assert not Membership.objects.filter(user=kari).exists()


def test_removing_an_attachment_already_removed_answers_with_a_message(client, draft):
    attachment = attach_pitch_deck(draft)
    url = reverse("applications:attachment_delete", args=[draft.pk, attachment.pk])
    client.post(url)

    response = client.post(url, follow=True)

    assert response.status_code == 404  # the row is gone: the view no longer finds it
    assert not Attachment.objects.filter(application=draft).exists()


def test_review_page_of_an_unfinished_draft_has_no_eligibility_message_about_missing_values(client, draft):
    Application.objects.filter(pk=draft.pk).update(funding_requested_eur=None, trl=None)

    page = text(client.get(reverse("applications:submit", args=[draft.pk])))

    assert "Still missing" in page
    assert "You request EUR" not in page
    assert "your application states TRL" not in page


def test_submitting_a_draft_for_an_unpublished_challenge_is_refused_with_a_message(client, draft):
    Application.objects.filter(pk=draft.pk).update(team="T", trl=5)
    attach_pitch_deck(draft)
    Challenge.objects.filter(pk=draft.challenge_id).update(published=False)

    response = client.post(reverse("applications:submit", args=[draft.pk]))

    assert response.status_code == 400
    assert any("is no longer open for applications" in message for message in messages_of(response))
    assert Application.objects.get(pk=draft.pk).status == ApplicationStatus.DRAFT


def test_the_applicant_sees_that_staff_found_a_passing_application_not_eligible(client, owner):
    application = submitted_application(organisation=OrganisationFactory(owner=owner))
    application_override_eligibility(
        application=application, eligible=False, reason="Internal: subsidiary of a non-NATO group", by=UserFactory()
    )

    page = text(client.get(reverse("applications:detail", args=[application.pk])))

    assert "Why this application is not eligible" in page
    assert "The DIANA programme team reviewed this application and found it not eligible for this programme." in page
    assert "subsidiary of a non-NATO group" not in page  # the reason is for staff


# --- A member who is not the owner, and a former member -------------------------------------------------------


@pytest.fixture
def member_of(client):
    """An organisation where the signed-in user is a member but not the owner."""
    boss = UserFactory()
    organisation = OrganisationFactory(owner=boss)
    member = add_member(organisation)
    client.force_login(member)
    return organisation, boss, member


def test_a_member_who_is_not_the_owner_cannot_manage_the_organisation(client, member_of):
    organisation, boss, _member = member_of
    other = add_member(organisation)
    invitation = invitation_create(organisation=organisation, email="kari@example.org", by=boss)
    name = organisation.name
    attempts = {
        "organisation_invite": ([organisation.pk], {"email": "eve@example.org"}),
        "membership_remove": ([organisation.pk, Membership.objects.get(user=other).pk], {}),
        "invitation_revoke": ([organisation.pk, invitation.pk], {}),
        "organisation_edit": ([organisation.pk], {"name": "Taken over", "legal_name": "X", "registration_number": "9"}),
    }

    statuses = {
        view: client.post(reverse(f"applications:{view}", args=args), data).status_code
        for view, (args, data) in attempts.items()
    }

    assert statuses == dict.fromkeys(attempts, 403)
    organisation.refresh_from_db()
    assert organisation.name == name
    assert Membership.objects.filter(organisation=organisation, user=other).exists()
    assert list(organisation.invitations.values_list("email", flat=True)) == ["kari@example.org"]
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_a_removed_member_no_longer_reaches_the_applications(client, member_of):
    organisation, boss, member = member_of
    application = ApplicationFactory(organisation=organisation, created_by=boss)
    attachment = attach_pitch_deck(application)
    membership_remove(membership=Membership.objects.get(user=member), by=boss)

    statuses = [
        client.get(reverse("applications:detail", args=[application.pk])).status_code,
        client.get(reverse("applications:attachment_download", args=[application.pk, attachment.pk])).status_code,
        client.post(
            reverse("applications:autosave", args=[application.pk, "team"]), {"team": "still here?", "version": "0"}
        ).status_code,
        client.get(reverse("applications:organisation_detail", args=[organisation.pk])).status_code,
    ]

    assert statuses == [404, 404, 404, 404]
    assert Application.objects.get(pk=application.pk).team == COMPLETE_ANSWERS["team"]


# --- HQ nation: the Allies only ------------------------------------------------------------------


def _organisation_post(**overrides) -> dict:
    return {
        "name": "Alpine Optics",
        "legal_name": "Alpine Optics AG",
        "registration_number": "CHE-123.456.789",
        "hq_nation": "NO",
        "size": "small",
        "year_founded": 2020,
    } | overrides


def test_organisation_form_offers_the_allies_by_name_with_help(client, owner):
    response = client.get(reverse("applications:organisation_create"))

    field = response.context["form"].fields["hq_nation"]
    codes = [code for code, _name in field.choices]
    names = [str(name) for _code, name in field.choices]
    assert codes[0] == ""
    assert set(codes[1:]) == set(NATO_ALLIES)
    assert names.index("Czechia") < names.index("Denmark") < names.index("Germany")
    assert "DIANA is open to companies headquartered in a NATO Ally." in text(response)


def test_organisation_create_refuses_a_nation_outside_the_alliance(client, owner):
    response = client.post(reverse("applications:organisation_create"), _organisation_post(hq_nation="CH"))

    assert response.status_code == 200
    assert response.context["form"].errors["hq_nation"] == [
        "Choose the NATO Ally where the company is headquartered: "
        "DIANA is open only to companies headquartered in a NATO Ally."
    ]
    assert not Organisation.objects.exists()


def test_editing_an_organisation_outside_the_alliance_shows_the_problem(client, owner):
    legacy = OrganisationFactory(owner=owner, hq_nation="CH")  # saved before the list was narrowed

    response = client.get(reverse("applications:organisation_edit", args=[legacy.pk]))

    assert response.status_code == 200
    problem = (
        "Switzerland is not a NATO Ally. DIANA is open only to companies headquartered in a NATO Ally: "
        "choose the Ally where the company is headquartered."
    )
    assert problem in text(response)
    # The page shows the nation on file, not the first Ally of the list.
    assert re.search(r'<option value="CH" selected>Switzerland</option>', response.content.decode())


def test_saving_an_organisation_outside_the_alliance_asks_for_an_ally(client, owner):
    legacy = OrganisationFactory(owner=owner, hq_nation="CH", year_founded=2019)
    post = _organisation_post(name=legacy.name, registration_number=legacy.registration_number, year_founded=2019)

    refused = client.post(reverse("applications:organisation_edit", args=[legacy.pk]), post | {"hq_nation": "CH"})
    saved = client.post(reverse("applications:organisation_edit", args=[legacy.pk]), post | {"hq_nation": "DE"})

    assert refused.status_code == 200
    assert refused.context["form"].errors["hq_nation"][0].startswith("Switzerland is not a NATO Ally.")
    assert saved.status_code == 302
    legacy.refresh_from_db()
    assert legacy.hq_nation.code == "DE"


# --- The limit of applications per organisation, said before a draft is started ----------------------


def test_start_page_warns_when_the_organisation_has_reached_the_limit(client, owner):
    organisation = OrganisationFactory(owner=owner, name="Fjordlys Sensing")
    first = submitted_application(organisation=organisation, created_by=owner)
    other = ChallengeFactory(programme=first.programme, title="Energy and power")

    response = client.get(reverse("applications:start", args=[other.pk]))

    page = text(response)
    assert (
        f"Fjordlys Sensing has already submitted {first.reference} to {first.programme.title}, "
        "which accepts 1 per organisation."
    ) in page
    assert f"if it is submitted while {first.reference} counts, it will be found not eligible" in page
    assert f'href="{first.get_absolute_url()}">{first.reference}</a>: {first.challenge.title} (eligible)' in page


def test_start_page_still_lets_a_draft_be_started_at_the_limit(client, owner):
    # DESIGN §5: the limit is on submissions; drafts do not count against it.
    organisation = OrganisationFactory(owner=owner)
    first = submitted_application(organisation=organisation, created_by=owner)
    other = ChallengeFactory(programme=first.programme)

    response = client.post(reverse("applications:start", args=[other.pk]), {"organisation": organisation.pk})

    assert response.status_code == 302
    assert Application.objects.filter(organisation=organisation, challenge=other, status="draft").count() == 1


@pytest.mark.parametrize("situation", ["draft only", "withdrawn", "other programme", "limit of two"])
def test_start_page_says_nothing_below_the_limit(client, owner, situation):
    organisation = OrganisationFactory(owner=owner)
    challenge = ChallengeFactory()
    if situation == "draft only":
        ApplicationFactory(organisation=organisation, challenge=ChallengeFactory(programme=challenge.programme))
    elif situation == "withdrawn":
        withdrawn = submitted_application(
            organisation=organisation, challenge=ChallengeFactory(programme=challenge.programme)
        )
        application_withdraw(application=withdrawn, by=withdrawn.created_by)
    elif situation == "other programme":
        submitted_application(organisation=organisation)
    else:
        challenge.programme.applications_per_organisation = 2
        challenge.programme.save(update_fields=["applications_per_organisation"])
        submitted_application(organisation=organisation, challenge=ChallengeFactory(programme=challenge.programme))

    response = client.get(reverse("applications:start", args=[challenge.pk]))

    assert response.status_code == 200
    assert "has already submitted" not in text(response)


def test_start_page_preselects_an_organisation_that_can_still_submit(client, owner):
    full = OrganisationFactory(owner=owner, name="Aurora Quantum")  # first by name
    free = OrganisationFactory(owner=owner, name="Borealis Labs")
    first = submitted_application(organisation=full)

    response = client.get(reverse("applications:start", args=[ChallengeFactory(programme=first.programme).pk]))

    page = response.content.decode()
    assert re.search(rf'value="{free.pk}"\s+id="organisation-{free.pk}" checked', page)
    assert not re.search(rf'value="{full.pk}"\s+id="organisation-{full.pk}" checked', page)


def test_challenge_choice_warns_per_programme_at_the_limit(client, owner):
    organisation = OrganisationFactory(owner=owner, name="Fjordlys Sensing")
    first = submitted_application(organisation=organisation)
    elsewhere = ChallengeFactory(title="Another programme's challenge")

    response = client.get(reverse("applications:choose_challenge"))

    groups = {
        programme.pk: [r.references for r in reached] for programme, _c, reached in response.context["programmes"]
    }
    assert groups == {first.programme.pk: [first.reference], elsewhere.programme.pk: []}
    assert f"Fjordlys Sensing has already submitted {first.reference}" in text(response)


# --- Drafts: discarded, not "withdrawn"; progress next to the submit button -------------------------


def test_a_draft_offers_discard_not_withdraw(client, draft):
    response = client.get(reverse("applications:detail", args=[draft.pk]))

    page = text(response)
    assert "Discard draft" in page
    assert "Withdraw this application" not in page


def test_a_submitted_application_offers_withdraw(client, owner):
    application = submitted_application(organisation=OrganisationFactory(owner=owner))

    page = text(client.get(reverse("applications:detail", args=[application.pk])))

    assert "Withdraw this application" in page
    assert "Discard draft" not in page


def test_the_discard_page_says_what_happens_to_the_draft(client, draft):
    response = client.get(reverse("applications:withdraw", args=[draft.pk]))

    page = text(response)
    assert '<h1 class="h3">Discard the draft</h1>' in page
    assert "Once discarded, it can no longer be edited or submitted, and this cannot be undone." in page
    assert "It is not deleted: it stays in your organisation's applications, marked as withdrawn" in page
    assert '<button type="submit" class="btn btn-danger">Discard draft</button>' in page
    assert "Why are you discarding it? (optional)" in page
    assert "leaves the call for good" not in page


def test_discarding_a_draft_says_so_and_records_it(client, draft):
    response = client.post(reverse("applications:withdraw", args=[draft.pk]), {"reason": ""}, follow=True)

    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.WITHDRAWN
    assert messages_of(response) == ["The draft is discarded. A confirmation is on its way by e-mail."]
    assert "Draft discarded (never submitted)" in text(response)


def test_submit_button_stays_enabled_with_the_progress_beside_it(client, draft):
    response = client.get(reverse("applications:submit", args=[draft.pk]))

    page = text(response)
    # The fixture's draft lacks the team, the TRL and the pitch deck: three of eight.
    assert response.context["complete_count"] == 5
    assert re.search(
        r'<button type="submit" class="btn btn-primary btn-lg" aria-describedby="submit-progress">'
        r"Submit the application</button> <span id=\"submit-progress\" class=\"text-secondary\"> "
        r"5 of 8 sections complete </span>",
        page,
    ), page[page.find("Submit the application") - 200 :][:600]
