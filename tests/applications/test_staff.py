"""The staff pages: the list per programme with filters and search, the export, the
detail and the eligibility override."""

import csv
import io
import re

import pytest
from django.urls import reverse

from accounts.allies import NATO_ALLIES
from accounts.enums import Role
from accounts.models import AuditEvent
from applications.enums import ApplicationStatus
from applications.models import Application
from applications.services import application_withdraw
from tests.applications.factories import (
    ApplicationFactory,
    ChallengeFactory,
    OrganisationFactory,
    ProgrammeFactory,
    submitted_application,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(role_client):
    return role_client(Role.PROGRAMME_MANAGER)


@pytest.fixture
def programme():
    return ProgrammeFactory(year=2026, slug="diana-2026")


def listed(manager, programme, **params) -> list[str]:
    response = manager.get(reverse("applications:staff_list", args=[programme.slug]), params)
    assert response.status_code == 200
    return [application.organisation.name for application in response.context["page"].object_list]


@pytest.fixture
def spread(programme):
    """Four submitted applications that differ in one filterable way each, plus a draft."""
    energy = ChallengeFactory(programme=programme, title="Energy and power", trl_min=1, trl_max=9)
    space = ChallengeFactory(programme=programme, title="Resilient space operations", trl_min=1, trl_max=9)
    submitted_application(organisation=OrganisationFactory(name="Polar Power", hq_nation="NO"), challenge=energy, trl=4)
    submitted_application(
        organisation=OrganisationFactory(name="Vistula Orbit", hq_nation="PL"), challenge=space, trl=6
    )
    submitted_application(
        organisation=OrganisationFactory(name="Bosphorus Grid", hq_nation="TR"),
        challenge=energy,
        trl=6,
        funding_requested_eur=200_000,
    )
    submitted_application(organisation=OrganisationFactory(name="Maple Sat", hq_nation="CA"), challenge=space, trl=8)
    ApplicationFactory(organisation=OrganisationFactory(name="Drafty Ltd", hq_nation="US"), challenge=energy)
    ApplicationFactory(organisation=OrganisationFactory(name="Elsewhere Inc"))  # another programme
    return {"energy": energy, "space": space}


def test_list_shows_one_programme_newest_submission_first_and_drafts_last(manager, programme, spread):
    assert listed(manager, programme) == ["Maple Sat", "Bosphorus Grid", "Vistula Orbit", "Polar Power", "Drafty Ltd"]


def test_list_filters_start_empty(manager, programme, spread):
    response = manager.get(reverse("applications:staff_list", args=[programme.slug]))

    form = response.context["filter"].form
    # Every select offers "no filter" first, so submitting the form untouched filters nothing.
    assert [
        next(iter(form.fields[name].choices))[0] for name in ("status", "challenge", "nation", "trl", "eligibility")
    ] == [""] * 5


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "draft"}, ["Drafty Ltd"]),
        ({"status": "ineligible"}, ["Bosphorus Grid"]),
        ({"nation": "PL"}, ["Vistula Orbit"]),
        ({"trl": "6"}, ["Bosphorus Grid", "Vistula Orbit"]),
        ({"eligibility": "ineligible"}, ["Bosphorus Grid"]),
        ({"eligibility": "not_checked"}, ["Drafty Ltd"]),
        ({"q": "orbit"}, ["Vistula Orbit"]),
        ({"q": "DIANA-2026-00004"}, ["Maple Sat"]),
        ({"nation": "NO", "trl": "6"}, []),
    ],
)
def test_list_filters_and_search(manager, programme, spread, params, expected):
    assert listed(manager, programme, **params) == expected


def test_list_filters_by_challenge(manager, programme, spread):
    assert listed(manager, programme, challenge=spread["space"].pk) == ["Maple Sat", "Vistula Orbit"]


def test_list_filters_overridden_eligibility(manager, programme, spread):
    bosphorus = Application.objects.get(organisation__name="Bosphorus Grid")
    manager.post(reverse("applications:staff_override", args=[bosphorus.pk]), {"eligible": "1", "reason": "Agreed."})

    assert listed(manager, programme, eligibility="overridden") == ["Bosphorus Grid"]


def test_list_is_paginated(manager, programme):
    challenge = ChallengeFactory(programme=programme)
    ApplicationFactory.create_batch(51, challenge=challenge)

    first = manager.get(reverse("applications:staff_list", args=[programme.slug]))
    second = manager.get(reverse("applications:staff_list", args=[programme.slug]), {"page": 2})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 1
    assert "Page 1 of 2" in first.content.decode()


def export(manager, programme, **params) -> list[list[str]]:
    response = manager.get(reverse("applications:staff_export", args=[programme.slug]), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="applications-diana-2026-')
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_export_streams_the_filtered_list(manager, programme, spread):
    rows = export(manager, programme, nation="PL")

    assert rows[0][:5] == ["reference", "status", "eligibility", "eligibility_overridden", "organisation"]
    assert [(row[0], row[1], row[4], row[6]) for row in rows[1:]] == [
        ("DIANA-2026-00002", "eligible", "Vistula Orbit", "PL")
    ]


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1:A2)"])
def test_export_neutralises_spreadsheet_formulas(manager, programme, dangerous):
    submitted_application(
        challenge=ChallengeFactory(programme=programme),
        organisation=OrganisationFactory(name=dangerous),
        title=dangerous,
    )

    rows = export(manager, programme)

    organisation, title = rows[1][4], rows[1][8]
    assert organisation == title
    assert organisation != dangerous
    assert organisation.lstrip("'") == dangerous.replace("|", "\\|")
    assert organisation[0] not in "=+-@"


def test_staff_detail_shows_every_section_and_the_attachments(manager, programme, spread):
    application = Application.objects.get(organisation__name="Polar Power")

    response = manager.get(reverse("applications:staff_detail", args=[application.pk]))

    page = response.content.decode()
    assert application.reference in page
    assert application.solution in page
    assert application.team in page
    assert reverse("applications:attachment_download", args=[application.pk, application.attachments.get().pk]) in page


def test_override_through_the_page_is_audited(manager, programme, spread):
    bosphorus = Application.objects.get(organisation__name="Bosphorus Grid")

    response = manager.post(
        reverse("applications:staff_override", args=[bosphorus.pk]),
        {"eligible": "1", "reason": "The nation co-funds the rest."},
        follow=True,
    )

    bosphorus.refresh_from_db()
    assert bosphorus.status == ApplicationStatus.ELIGIBLE
    assert "Eligibility overridden and recorded." in response.content.decode()
    event = AuditEvent.objects.get(action="application.eligibility_override")
    assert (event.actor, event.reason) == (manager.user, "The nation co-funds the rest.")
    assert "The nation co-funds the rest." in response.content.decode()  # in the staff audit trail


def test_override_without_a_reason_changes_nothing(manager, programme, spread):
    bosphorus = Application.objects.get(organisation__name="Bosphorus Grid")

    response = manager.post(reverse("applications:staff_override", args=[bosphorus.pk]), {"eligible": "1"})

    assert response.status_code == 400
    assert response.context["override_form"].errors == {"reason": ["This field is required."]}
    assert Application.objects.get(pk=bosphorus.pk).status == ApplicationStatus.INELIGIBLE
    assert not AuditEvent.objects.filter(action="application.eligibility_override").exists()


def test_refused_override_keeps_the_typed_reason(manager, programme, spread):
    bosphorus = Application.objects.get(organisation__name="Bosphorus Grid")

    response = manager.post(
        reverse("applications:staff_override", args=[bosphorus.pk]), {"reason": "Co-funded by the nation."}
    )

    assert response.status_code == 400
    assert "Co-funded by the nation." in response.content.decode()
    assert not AuditEvent.objects.filter(action="application.eligibility_override").exists()


def test_staff_index_counts_submitted_and_drafts(manager, programme, spread):
    response = manager.get(reverse("applications:staff_index"))

    row = next(p for p in response.context["programmes"] if p.pk == programme.pk)
    assert (row.received_count, row.draft_count) == (4, 1)


def test_override_past_the_organisation_limit_is_a_form_error_naming_the_other_application(manager, programme):
    first = submitted_application(challenge=ChallengeFactory(programme=programme))
    second = submitted_application(organisation=first.organisation, challenge=ChallengeFactory(programme=programme))

    response = manager.post(
        reverse("applications:staff_override", args=[second.pk]), {"eligible": "1", "reason": "Looks fine."}
    )

    assert response.status_code == 400
    (error,) = response.context["override_form"].non_field_errors()
    assert f"limit of 1: {first.reference}." in error
    assert Application.objects.get(pk=second.pk).status == ApplicationStatus.INELIGIBLE
    assert not AuditEvent.objects.filter(action="application.eligibility_override").exists()


def test_list_filters_say_what_no_choice_means(manager, programme, spread):
    response = manager.get(reverse("applications:staff_list", args=[programme.slug]))

    form = response.context["filter"].form
    assert [
        str(next(iter(form.fields[name].choices))[1])
        for name in ("status", "challenge", "nation", "trl", "eligibility")
    ] == ["All statuses", "All challenges", "All nations", "Any TRL", "Any eligibility"]
    assert "---------" not in response.content.decode()


def test_list_nation_filter_offers_the_allies_by_name(manager, programme, spread):
    response = manager.get(reverse("applications:staff_list", args=[programme.slug]))

    choices = list(response.context["filter"].form.fields["nation"].choices)[1:]
    names = [str(name) for _code, name in choices]
    assert {code for code, _name in choices} == set(NATO_ALLIES)
    assert names.index("Czechia") < names.index("Denmark") < names.index("Germany")


def test_list_keeps_references_on_one_line_and_says_times_are_utc(manager, programme, spread):
    response = manager.get(reverse("applications:staff_list", args=[programme.slug]))

    page = response.content.decode()
    maple = Application.objects.get(organisation__name="Maple Sat")
    link = reverse("applications:staff_detail", args=[maple.pk])
    assert f'<td class="text-nowrap"><a href="{link}">{maple.reference}</a></td>' in page
    assert '<th scope="col">Submitted (UTC)</th>' in page


def eligibility_cells(response) -> dict[str, str]:
    """Organisation name -> the text of its eligibility cell (the 7th column)."""
    rows = re.findall(r"<tr>\s*<td class=\"text-nowrap\">.*?</tr>", response.content.decode(), flags=re.S)
    cells = {}
    for row in rows:
        columns = [re.sub(r"<[^>]+>", " ", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        cells[" ".join(columns[1].split())] = " ".join(columns[6].split())
    return cells


def test_list_does_not_call_a_withdrawn_application_eligible(manager, programme, spread):
    polar = Application.objects.get(organisation__name="Polar Power")
    application_withdraw(application=polar, by=polar.created_by)
    drafty = Application.objects.get(organisation__name="Drafty Ltd")
    application_withdraw(application=drafty, by=drafty.created_by)

    response = manager.get(reverse("applications:staff_list", args=[programme.slug]))

    cells = eligibility_cells(response)
    assert cells["Polar Power"] == "Eligible before withdrawal"
    assert cells["Drafty Ltd"] == "— Not checked: withdrawn"
    assert cells["Vistula Orbit"] == "Eligible"


def squashed(response) -> str:
    return " ".join(response.content.decode().split())


def test_staff_detail_shows_the_funding_as_an_amount_in_euros(manager, programme, spread):
    application = Application.objects.get(organisation__name="Polar Power")  # requests 100,000

    english = squashed(manager.get(reverse("applications:staff_detail", args=[application.pk])))
    french = manager.get(
        reverse("applications:staff_detail", args=[application.pk]), headers={"accept-language": "fr"}
    ).content.decode()

    assert '<dd class="text-break"> EUR 100,000 </dd>' in english
    assert ">100000<" not in english.replace(" ", "")
    # Written the French way: a no-break space to group the digits, the currency after.
    assert re.findall(r"100\W000 EUR", french) == ["100\xa0000 EUR"]


def test_staff_detail_names_the_organisation_once(manager, programme):
    same = OrganisationFactory(name="Polar Power AS", legal_name="Polar Power AS", registration_number="NO-918273645")
    application = submitted_application(organisation=same, challenge=ChallengeFactory(programme=programme))

    page = squashed(manager.get(reverse("applications:staff_detail", args=[application.pk])))

    assert (
        '<dd class="col-sm-8"> Polar Power AS <span class="d-block small text-secondary"> '
        "Registration number NO-918273645 </span> </dd>"
    ) in page
    assert "Polar Power AS (Polar Power AS" not in page


def test_staff_detail_adds_the_legal_name_when_it_differs(manager, programme):
    trading = OrganisationFactory(name="Polar Power", legal_name="Polar Power Holding AS", registration_number="NO-1")
    application = submitted_application(organisation=trading, challenge=ChallengeFactory(programme=programme))

    page = squashed(manager.get(reverse("applications:staff_detail", args=[application.pk])))

    assert (
        '<dd class="col-sm-8"> Polar Power <span class="d-block small text-secondary"> '
        "Polar Power Holding AS · Registration number NO-1 </span> </dd>"
    ) in page


def test_staff_detail_tucks_the_sha256_into_a_detail(manager, programme, spread):
    application = Application.objects.get(organisation__name="Polar Power")
    attachment = application.attachments.get()

    page = squashed(manager.get(reverse("applications:staff_detail", args=[application.pk])))

    assert (
        '<details class="small text-secondary"> <summary>SHA-256</summary> '
        f'<code class="text-break">{attachment.sha256}</code> </details>'
    ) in page
    assert f"SHA-256 <code>{attachment.sha256}</code>" not in page
