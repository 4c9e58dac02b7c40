"""The booking predicates and the selectors that list bookings agree, for every role."""

import pytest

from accounts.enums import Role
from sites import bookings, permissions_bookings  # noqa: F401 - registers the rules
from sites.selectors_bookings import booking_list_for_manager, booking_list_for_member
from tests.factories import UserFactory, make_user
from tests.sites.bookings_factories import make_cohort, make_site, make_team, next_monday

pytestmark = pytest.mark.django_db


def test_predicates_and_selectors_agree():
    member, other_member = UserFactory(), UserFactory()
    manager, other_manager = make_user(Role.SITE_MANAGER), make_user(Role.SITE_MANAGER)
    programme_manager = make_user(Role.PROGRAMME_MANAGER)
    cohort = make_cohort()
    centre, other_centre = make_site(managers=[manager]), make_site(managers=[other_manager])
    booked = []
    for user, site in [(member, centre), (other_member, other_centre), (member, other_centre)]:
        team = make_team(cohort=cohort, member=user)
        booked.append(
            bookings.booking_request(
                team=team, centre=site, first_day=next_monday(2), last_day=next_monday(2), purpose="EMC", by=user
            )
        )
    users = [member, other_member, manager, other_manager, programme_manager, make_user(Role.REVIEWER)]

    for user in users:
        as_member = set(booking_list_for_member(user=user))
        as_manager = set(booking_list_for_manager(user=user))
        for booking in booked:
            assert user.has_perm("sites.cancel_booking", booking) == (booking in as_member), (user, booking)
            assert user.has_perm("sites.answer_booking", booking) == (booking in as_manager), (user, booking)
            assert user.has_perm("sites.view_booking", booking) == (
                booking in as_member or booking in as_manager or user == programme_manager
            )
    assert {b.pk for b in booking_list_for_member(user=member)} == {booked[0].pk, booked[2].pk}
    assert {b.pk for b in booking_list_for_manager(user=other_manager)} == {booked[1].pk, booked[2].pk}
