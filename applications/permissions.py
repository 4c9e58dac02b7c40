"""Who may see and change organisations, applications and attachments (DESIGN §4).

Each object predicate has a matching queryset filter in `applications.selectors`
(`visible_applications_q`, ...). tests/applications/test_permissions.py holds the
two in agreement, so a list never shows what the object check would refuse.

What another user may not see answers 404, never 403 (the views use
`get_object_or_404` over the visible queryset).
"""

import rules

from accounts.permissions import is_programme_manager
from applications.enums import MemberRole


def _membership_role(user, organisation_id: int) -> str | None:
    if not user.is_authenticated:
        return None
    # Cached per user object: a page asks several predicates about one organisation.
    cache = user.__dict__.setdefault("_diana_org_roles", {})
    if organisation_id not in cache:
        from applications.models import Membership

        cache[organisation_id] = (
            Membership.objects.filter(user=user, organisation_id=organisation_id).values_list("role", flat=True).first()
        )
    return cache[organisation_id]


@rules.predicate
def is_organisation_member(user, organisation) -> bool:
    return organisation is not None and _membership_role(user, organisation.pk) is not None


@rules.predicate
def is_organisation_owner(user, organisation) -> bool:
    return organisation is not None and _membership_role(user, organisation.pk) == MemberRole.OWNER


@rules.predicate
def is_application_member(user, application) -> bool:
    """A member of the organisation that applies: owner or member."""
    return application is not None and _membership_role(user, application.organisation_id) is not None


@rules.predicate
def is_attachment_member(user, attachment) -> bool:
    return attachment is not None and is_application_member(user, attachment.application)


# Applicants: their own organisation's objects. Programme managers: everything,
# through the staff pages. Reviewers, site managers and ministries: nothing here;
# the reviews app adds assigned reviewers when it lands.
rules.add_perm("applications.view_organisation", is_organisation_member)
rules.add_perm("applications.change_organisation", is_organisation_owner)
rules.add_perm("applications.manage_members", is_organisation_owner)
rules.add_perm("applications.view_application", is_application_member | is_programme_manager)
rules.add_perm("applications.edit_application", is_application_member)
rules.add_perm("applications.view_attachment", is_attachment_member | is_programme_manager)
rules.add_perm("applications.view_staff_list", is_programme_manager)
rules.add_perm("applications.override_eligibility", is_programme_manager)
