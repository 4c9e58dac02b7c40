"""The wording of the sites app's messages: counts in the singular and the plural, and
every e-mail template readable in French (its msgids match the catalogue)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.template.loader import get_template
from django.test import Client
from django.utils import translation

from accounts.enums import Role
from notifications.models import Message
from sites import services
from sites.enums import CohortState
from sites.models import Booking
from sites.tasks import plan_reminders_at
from tests.factories import make_user
from tests.sites.factories import AllocationFactory, CohortFactory, SiteFactory

pytestmark = pytest.mark.django_db

DEADLINE = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def test_an_offer_of_one_team_is_worded_in_the_singular():
    manager = make_user(Role.SITE_MANAGER)
    site = SiteFactory(name="Tehnopol", managers=[manager])
    offer = AllocationFactory(site=site, status="proposed", run__state="done")

    services.allocation_run_approve(run=offer.run, by=make_user(Role.PROGRAMME_MANAGER))

    message = Message.objects.get(kind="allocation-offer")
    assert message.subject == "1 team offered to Tehnopol"
    assert f"DIANA offers 1 selected team of {offer.cohort.name} to Tehnopol." in message.body_text


def test_a_reminder_of_one_offer_is_worded_in_the_singular_and_of_two_in_the_plural():
    cohort = CohortFactory(
        preference_deadline=DEADLINE - timedelta(days=14), answer_deadline=DEADLINE, state=CohortState.ALLOCATING
    )
    one, two = SiteFactory(name="Tartu", managers=[make_user(Role.SITE_MANAGER)]), SiteFactory(name="Turin")
    two.managers.set([make_user(Role.SITE_MANAGER)])
    AllocationFactory(site=one, team__cohort=cohort)
    AllocationFactory(site=two, team__cohort=cohort)
    AllocationFactory(site=two, team__cohort=cohort)

    plan_reminders_at(now=DEADLINE - timedelta(days=1))

    subjects = sorted(Message.objects.filter(kind="offer-reminder").values_list("subject", flat=True))
    assert subjects == [
        "1 offer to Tartu awaits your answer: 1 day left",
        "2 offers to Turin await your answer: 1 day left",
    ]
    body = Message.objects.get(kind="offer-reminder", recipient__managed_sites=one).body_text
    assert f"1 team of {cohort.name} offered to Tartu still awaits your answer." in body


def test_confirming_with_one_offer_unanswered_says_so_in_the_singular():
    offer = AllocationFactory(team__cohort__state=CohortState.ALLOCATING)

    with pytest.raises(services.SitesError, match=r"^1 allocation still awaits approval or an answer: settle it"):
        services.cohort_confirm(cohort=offer.cohort, by=make_user(Role.PROGRAMME_MANAGER))


@pytest.mark.parametrize(
    ("template", "count", "french"),
    [
        ("offer_subject", 1, "1 équipe offerte à Tehnopol"),
        ("offer_subject", 3, "3 équipes offertes à Tehnopol"),
        ("offer_body", 1, "DIANA offre 1 équipe retenue de Cohorte 2026 à Tehnopol."),
        ("offer_body", 3, "Veuillez accepter ou refuser chaque équipe dans votre espace site"),
        ("offer_reminder_subject", 1, "1 offre à Tehnopol attend votre réponse : encore 1 jour"),
        ("offer_reminder_body", 2, "2 équipes de Cohorte 2026 offertes à Tehnopol attendent encore votre réponse."),
        ("offer_reminder_body", 2, "Votre espace : https://diana.example/sites/workspace/"),
    ],
)
def test_offer_messages_read_in_french(template, count, french):
    context = {
        "recipient_name": "Kadri Tamm",
        "site": "Tehnopol",
        "cohort": "Cohorte 2026",
        "count": count,
        "answer_deadline": "13 décembre 2026, 17:00 UTC",
        "deadline": "13 décembre 2026, 17:00 UTC",
        "time_left": "1 jour",
        "link_url": "https://diana.example/sites/workspace/",
    }

    with translation.override("fr"):
        text = get_template(f"sites/email/{template}.txt").render(context)

    assert french in text
    assert "Dear" not in text


def test_confirming_a_cohort_of_one_accepted_team_says_so_in_the_singular():
    client = Client()
    client.force_login(make_user(Role.PROGRAMME_MANAGER))
    offer = AllocationFactory(team__cohort__state=CohortState.ALLOCATING, status="accepted")

    response = client.post(f"/sites/cohorts/{offer.cohort_id}/confirm/", follow=True)

    assert "Cohort confirmed with 1 newly confirmed team." in response.content.decode()


@pytest.mark.parametrize(
    ("template", "approved", "french"),
    [
        (
            "booking_answer_subject",
            True,
            "Oulu a accordé le créneau d'essai de Havbris, la semaine 2027-W02",
        ),
        (
            "booking_answer_subject",
            False,
            "Oulu a refusé le créneau d'essai de Havbris, la semaine 2027-W02",
        ),
        ("booking_answer_body", True, "pour la semaine 2027-W02 (du 2027-01-11 au 2027-01-17)."),
        (
            "booking_request_subject",
            True,
            "Créneau d'essai demandé à Oulu : Havbris, la semaine 2027-W02",
        ),
        ("booking_request_body", True, "du temps d'essai pour la semaine 2027-W02 (du 2027-01-11 au 2027-01-17)."),
        (
            "booking_cancelled_subject",
            True,
            "Havbris a annulé son créneau d'essai à Oulu, la semaine 2027-W02",
        ),
        ("booking_cancelled_body", True, "a annulé sa réservation à Oulu pour la semaine 2027-W02."),
    ],
)
def test_booking_messages_read_in_french(template, approved, french):
    with translation.override("fr"):
        context = {
            "recipient_name": "Kadri Tamm",
            "centre": "Oulu",
            "city": "Oulu",
            "organisation": "Havbris",
            "reference": "DIANA-2025-00042",
            "weeks": Booking(starts_on=date(2027, 1, 11), ends_on=date(2027, 1, 17)).weeks_text,
            "starts_on": "2027-01-11",
            "ends_on": "2027-01-17",
            "purpose": "Icing trials.",
            "approved": approved,
            "reason": "Closed.",
            "link_url": "https://diana.example/sites/bookings/",
        }
        text = get_template(f"sites/email/{template}.txt").render(context)

    assert french in text


def test_the_team_is_told_when_a_site_accepts_it_and_when_its_place_is_confirmed():
    site_manager, programme_manager = make_user(Role.SITE_MANAGER), make_user(Role.PROGRAMME_MANAGER)
    offer = AllocationFactory(
        site=SiteFactory(name="Tehnopol", city="Tallinn", managers=[site_manager]),
        team__cohort__state=CohortState.ALLOCATING,
    )
    organisation = offer.team.application.organisation
    member, colleague = make_user(Role.INNOVATOR), make_user(Role.INNOVATOR)
    organisation.memberships.create(user=member, role="owner")
    organisation.memberships.create(user=colleague, role="member")
    outsider = make_user(Role.INNOVATOR)

    services.allocation_accept(allocation=offer, by=site_manager)

    accepted = Message.objects.filter(kind="place-accepted").order_by("recipient_id")
    assert [m.recipient_id for m in accepted] == [member.pk, colleague.pk]
    assert accepted[0].subject == f"Tehnopol accepted {organisation.name}"
    assert "Tehnopol (Tallinn) accepted" in accepted[0].body_text
    assert "/sites/preferences/" in accepted[0].body_text

    services.cohort_confirm(cohort=offer.cohort, by=programme_manager)

    confirmed = Message.objects.filter(kind="place-confirmed").order_by("recipient_id")
    assert [m.recipient_id for m in confirmed] == [member.pk, colleague.pk]
    assert confirmed[0].subject == "Your place at Tehnopol is confirmed"
    assert "confirmed the place of" in confirmed[0].body_text
    assert not Message.objects.filter(recipient=outsider).exists()


@pytest.mark.parametrize(
    ("template", "confirmed", "french"),
    [
        ("place_subject", False, "Tehnopol a accepté Havbris"),
        ("place_subject", True, "Votre place à Tehnopol est confirmée"),
        ("place_body", False, "Tehnopol (Tallinn) a accepté Havbris (DIANA-2025-00042) dans Cohorte 2026."),
        ("place_body", True, "Le responsable de programme a confirmé la place de Havbris (DIANA-2025-00042)"),
        ("withdrawn_subject", False, "Offre de Havbris à Tehnopol retirée"),
        ("withdrawn_body", False, "n'a reçu aucune réponse avant la date limite de réponse, 13 décembre 2026"),
    ],
)
def test_place_and_withdrawal_messages_read_in_french(template, confirmed, french):
    context = {
        "recipient_name": "Kadri Tamm",
        "site": "Tehnopol",
        "city": "Tallinn",
        "organisation": "Havbris",
        "reference": "DIANA-2025-00042",
        "cohort": "Cohorte 2026",
        "confirmed": confirmed,
        "answer_deadline": "13 décembre 2026, 17:00 UTC",
        "link_url": "https://diana.example/sites/preferences/",
    }

    with translation.override("fr"):
        text = get_template(f"sites/email/{template}.txt").render(context)

    assert french in text
    assert "Dear" not in text


@pytest.mark.parametrize(
    ("kind", "french"),
    [
        ("allocation-withdrawn", "Offre sans réponse retirée"),
        ("place-accepted", "Place de l'équipe acceptée"),
        ("place-confirmed", "Place de l'équipe confirmée"),
    ],
)
def test_the_staff_outbox_names_the_new_sites_messages_in_french(kind, french):
    from notifications.views import kind_label

    with translation.override("fr"):
        assert kind_label(kind) == french
