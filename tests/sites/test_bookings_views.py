"""The booking pages as their people use them, and a query-count guard on every list."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.enums import Role
from sites import bookings
from sites.enums import BookingStatus
from sites.models import Booking
from tests.factories import make_user
from tests.sites.bookings_factories import make_cohort, make_site, make_team, next_monday

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    member = make_user(Role.INNOVATOR)
    manager = make_user(Role.SITE_MANAGER)
    cohort = make_cohort()
    team = make_team(cohort=cohort, member=member)
    centre = make_site(capacity=1, managers=[manager], name="Oulu Arctic Test Range (demo)")
    return {"member": member, "manager": manager, "cohort": cohort, "team": team, "centre": centre}


def add_booking(world, weeks_ahead: int = 2, **kwargs) -> Booking:
    team = kwargs.pop("team", None) or make_team(cohort=world["cohort"])
    return bookings.booking_request(
        team=team,
        centre=kwargs.pop("centre", world["centre"]),
        first_day=next_monday(weeks_ahead),
        last_day=next_monday(weeks_ahead),
        purpose="Cold-weather endurance run of the sensor mast.",
        by=team.application.organisation.memberships.first().user,
    )


# --- The team ---------------------------------------------------------------------------------


def test_member_requests_test_time_through_the_form(world):
    client = signed_in(world["member"])
    url = reverse("sites:booking_request", args=[world["team"].pk])
    monday = next_monday(3)

    page = client.get(url)
    response = client.post(
        url,
        {
            "centre": world["centre"].pk,
            "first_day": (monday.replace(day=monday.day)).isoformat(),
            "last_day": monday.isoformat(),
            "purpose": "Icing trials of the rotor blades.",
        },
    )

    assert page.status_code == 200
    assert "Oulu Arctic Test Range (demo) (Oulu, FI)" in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse("sites:booking_list")
    booking = Booking.objects.get()
    assert (booking.team, booking.starts_on, booking.status) == (world["team"], monday, BookingStatus.REQUESTED)
    listing = client.get(reverse("sites:booking_list")).content.decode()
    assert bookings.week_label(monday) in listing
    assert "Cancel the booking at Oulu Arctic Test Range (demo)" in listing


def test_request_form_speaks_french_down_to_its_help_texts(world):
    page = (
        signed_in(world["member"])
        .get(reverse("sites:booking_request", args=[world["team"].pk]), HTTP_ACCEPT_LANGUAGE="fr")
        .content.decode()
    )

    assert "La réservation se termine le dimanche de la semaine de ce jour (au plus 4 semaines en tout)." in page
    assert "The booking ends on the Sunday" not in page


def test_request_breaking_a_rule_shows_the_reason_with_409(world):
    response = signed_in(world["member"]).post(
        reverse("sites:booking_request", args=[world["team"].pk]),
        {
            "centre": world["centre"].pk,
            "first_day": next_monday(1).isoformat(),
            "last_day": next_monday(6).isoformat(),
            "purpose": "Long trial.",
        },
    )

    assert response.status_code == 409
    assert "A booking covers at most 4 weeks; these dates span 6." in response.content.decode()
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    ("first_day", "last_day", "message"),
    [
        # The calendar's last week has no Sunday to end on: this once raised OverflowError (500).
        ("9999-12-31", "9999-12-31", "Book at most 26 weeks ahead."),
        ("next", "9999-12-31", "A booking covers at most 4 weeks; these dates span"),
    ],
)
def test_request_with_dates_at_the_end_of_the_calendar_is_refused_with_409(world, first_day, last_day, message):
    first_day = next_monday(1).isoformat() if first_day == "next" else first_day
    response = signed_in(world["member"]).post(
        reverse("sites:booking_request", args=[world["team"].pk]),
        {"centre": world["centre"].pk, "first_day": first_day, "last_day": last_day, "purpose": "Long trial."},
    )

    assert response.status_code == 409
    assert message in response.content.decode()
    assert not Booking.objects.exists()


def test_request_with_missing_fields_is_a_400_form(world):
    response = signed_in(world["member"]).post(reverse("sites:booking_request", args=[world["team"].pk]), {})

    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"centre", "first_day", "last_day", "purpose"}


def test_member_cancels_a_request(world):
    booking = add_booking(world, team=world["team"])

    response = signed_in(world["member"]).post(reverse("sites:booking_cancel", args=[booking.pk]))

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_a_member_of_another_team_sees_neither_the_booking_nor_its_form(world):
    booking = add_booking(world)  # another team's
    client = signed_in(world["member"])

    assert booking.team.application.organisation.name not in client.get(reverse("sites:booking_list")).content.decode()
    assert client.get(reverse("sites:booking_request", args=[booking.team_id])).status_code == 404
    assert client.post(reverse("sites:booking_cancel", args=[booking.pk])).status_code == 404


@pytest.mark.parametrize("item_count", [1, 5])
def test_team_booking_list_query_count_is_flat(world, django_assert_num_queries, item_count):
    for weeks in range(item_count):
        add_booking(world, weeks_ahead=2 + weeks, team=world["team"], centre=make_site())
    client = signed_in(world["member"])

    # session, user, roles; the bookings; the bookable teams; the navigation's unread count
    with django_assert_num_queries(6):
        response = client.get(reverse("sites:booking_list"))

    assert response.status_code == 200
    assert len(response.context["bookings"]) == item_count


# --- The test centre manager -------------------------------------------------------------------


def test_manager_approves_a_request_from_the_inbox(world):
    booking = add_booking(world)
    client = signed_in(world["manager"])

    inbox = client.get(reverse("sites:booking_inbox"))
    page = client.get(reverse("sites:booking_answer", args=[booking.pk]))
    response = client.post(reverse("sites:booking_approve", args=[booking.pk]))

    assert [b.pk for b in inbox.context["pending"]] == [booking.pk]
    assert page.status_code == 200
    assert f"Test time at Oulu Arctic Test Range (demo), week {booking.first_week}." in page.content.decode()
    assert page.context["weeks"] == [
        {"label": bookings.week_label(next_monday(2)), "monday": next_monday(2), "taken": 0}
    ]
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.APPROVED
    # Sent again (a second click, a stale tab): said plainly, nothing changes.
    again = client.post(reverse("sites:booking_approve", args=[booking.pk]))
    assert again.status_code == 409
    assert "This is already approved: nothing changed." in again.content.decode()


def test_approving_into_a_full_week_answers_409_with_the_week(world):
    bookings.booking_approve(booking=add_booking(world), by=world["manager"])
    second = add_booking(world)

    response = signed_in(world["manager"]).post(reverse("sites:booking_approve", args=[second.pk]))

    assert response.status_code == 409
    assert (
        f"Oulu Arctic Test Range (demo) is full in {bookings.week_label(next_monday(2))}: "
        "all 1 slots a week are approved." in response.content.decode()
    )
    second.refresh_from_db()
    assert second.status == BookingStatus.REQUESTED


def test_decline_without_a_reason_is_a_400_and_with_one_is_recorded(world):
    booking = add_booking(world)
    client = signed_in(world["manager"])
    url = reverse("sites:booking_decline", args=[booking.pk])

    refused = client.post(url, {"reason": ""})
    accepted = client.post(url, {"reason": "The range is closed for maintenance that week."})

    assert refused.status_code == 400
    assert accepted.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.reason) == (
        BookingStatus.DECLINED,
        "The range is closed for maintenance that week.",
    )


def test_a_manager_of_another_centre_gets_404(world):
    booking = add_booking(world)
    other = make_user(Role.SITE_MANAGER)
    make_site(managers=[other])
    client = signed_in(other)

    assert client.get(reverse("sites:booking_answer", args=[booking.pk])).status_code == 404
    assert client.post(reverse("sites:booking_approve", args=[booking.pk])).status_code == 404
    assert client.get(reverse("sites:booking_inbox")).context["pending"] == []
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REQUESTED


@pytest.mark.parametrize("item_count", [1, 5])
def test_inbox_query_count_is_flat(world, django_assert_num_queries, item_count):
    for _ in range(item_count):
        add_booking(world)
    client = signed_in(world["manager"])

    # session, user, the roles (read twice, by the permission check and the navigation);
    # the bookings; the navigation's unread count
    with django_assert_num_queries(6):
        response = client.get(reverse("sites:booking_inbox"))

    assert len(response.context["pending"]) == item_count


# --- Staff ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("item_count", [1, 5])
def test_staff_overview_query_count_is_flat(world, django_assert_num_queries, item_count):
    for _ in range(item_count):
        add_booking(world)
    client = signed_in(make_user(Role.PROGRAMME_MANAGER))

    # session, user, roles, MFA check; count, page; counts by status; unread count
    with django_assert_num_queries(8):
        response = client.get(reverse("sites:booking_staff"))

    assert len(response.context["page"].object_list) == item_count
    assert dict(response.context["counts"])[BookingStatus.REQUESTED] == item_count


def test_staff_overview_filters_by_status(world):
    approved = add_booking(world)
    bookings.booking_approve(booking=approved, by=world["manager"])
    add_booking(world, weeks_ahead=3)

    response = signed_in(make_user(Role.PROGRAMME_MANAGER)).get(reverse("sites:booking_staff"), {"status": "approved"})

    assert [b.pk for b in response.context["page"].object_list] == [approved.pk]


# --- Phase 2 -------------------------------------------------------------------------------------


def test_programme_manager_marks_a_team_and_sees_the_funding(world):
    for _ in range(4):
        make_team(cohort=world["cohort"])
    client = signed_in(make_user(Role.PROGRAMME_MANAGER))

    response = client.post(reverse("sites:phase2_mark", args=[world["cohort"].pk, world["team"].pk]), {"phase2": "1"})
    page = client.get(reverse("sites:phase2", args=[world["cohort"].pk])).content.decode()

    assert response.status_code == 302
    world["team"].refresh_from_db()
    assert world["team"].phase2 is True
    assert "EUR 500,000" in page  # 5 Phase 1 teams
    assert "up to EUR 300,000" in page
    assert "up to EUR 800,000" in page
    assert "about 1 of the 5 teams placed in Phase 1. 1 marked so far." in page


def test_phase2_page_speaks_french_amounts(world):
    client = signed_in(make_user(Role.PROGRAMME_MANAGER))

    page = client.get(reverse("sites:phase2", args=[world["cohort"].pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    # French order and grouping, as the applications pages show amounts.
    amounts = re.findall(r"(?:jusqu'à )?[\d\xa0]+ EUR", page)
    assert amounts == [
        "100\xa0000 EUR",
        "100\xa0000 EUR",
        "jusqu'à 300\xa0000 EUR",
        "jusqu'à 0 EUR",
        "jusqu'à 100\xa0000 EUR",
    ]


@pytest.mark.parametrize("item_count", [1, 5])
def test_phase2_page_query_count_is_flat(world, django_assert_num_queries, item_count):
    for _ in range(item_count - 1):
        make_team(cohort=world["cohort"])
    client = signed_in(make_user(Role.PROGRAMME_MANAGER))

    # session, user, roles, MFA check; cohort; teams; their places; funding; unread count
    with django_assert_num_queries(9):
        response = client.get(reverse("sites:phase2", args=[world["cohort"].pk]))

    assert len(response.context["teams"]) == item_count
