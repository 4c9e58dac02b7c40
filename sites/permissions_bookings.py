"""Who may see and answer test-centre bookings and mark Phase 2 teams (DESIGN §4).

Each object predicate has a matching queryset filter in `sites.selectors_bookings`
(`booking_list_for_member`, `booking_list_for_manager`);
tests/sites/test_bookings_permissions.py holds the two in agreement. What a user may
not see answers 404 (the views look objects up in the visible queryset).
"""

import rules

from accounts.permissions import is_programme_manager, is_site_manager
from sites.permissions import _managed_site_ids, is_team_member


@rules.predicate
def is_manager_of_booking_centre(user, booking) -> bool:
    return booking is not None and is_site_manager(user) and booking.centre_id in _managed_site_ids(user)


@rules.predicate
def is_booking_team_member(user, booking) -> bool:
    return booking is not None and is_team_member(user, booking.team)


# A team's members request test time and cancel their own bookings.
rules.add_perm("sites.request_booking", is_team_member)
rules.add_perm("sites.cancel_booking", is_booking_team_member)
# Only the managers of the booked centre answer; programme managers see every booking.
rules.add_perm("sites.answer_booking", is_manager_of_booking_centre)
rules.add_perm("sites.view_booking", is_booking_team_member | is_manager_of_booking_centre | is_programme_manager)
rules.add_perm("sites.view_all_bookings", is_programme_manager)
rules.add_perm("sites.mark_phase2", is_programme_manager)
