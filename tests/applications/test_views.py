"""The applicant's pages: start, sections, autosave, concurrent edits, submission, withdrawal."""

import re

import pytest
from django.urls import reverse

from applications.enums import ApplicationStatus
from applications.models import Application, Membership, Organisation
from applications.services import application_update_section
from tests.applications.conftest import deliver
from tests.applications.factories import (
    COMPLETE_ANSWERS,
    ApplicationFactory,
    ChallengeFactory,
    OrganisationFactory,
    add_member,
    attach_pitch_deck,
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
    assert "The eligibility check found problems" in page
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
