"""Automatic conflicts of interest: membership, same organisation, same e-mail domain."""

import pytest

from reviews.conflicts import automatic_conflict_reason, automatic_conflicts, email_domain, normalised_name
from tests.applications.factories import OrganisationFactory, add_member
from tests.factories import UserFactory
from tests.reviews.factories import challenge_in, eligible_application, make_reviewer, programme_with_rubric

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("Nordlys Robotics AS", "nordlys robotics"),
        ("NORDLYS-ROBOTICS", "nordlys robotics"),
        ("Société Générale d'Optique SA", "societe generale d optique"),
        ("Quantum Oy Ltd", "quantum"),
        ("", ""),
    ],
)
def test_names_are_compared_without_case_accents_punctuation_or_legal_form(raw, normalised):
    assert normalised_name(raw) == normalised


def test_public_mail_providers_say_nothing_about_an_employer():
    assert email_domain("ola@gmail.com") == ""
    assert email_domain("ola@Nordlys.example") == "nordlys.example"


@pytest.fixture
def application():
    challenge = challenge_in(programme_with_rubric(), "autonomy")
    organisation = OrganisationFactory(
        name="Nordlys Robotics", legal_name="Nordlys Robotics AS", website="https://www.nordlys.example/"
    )
    add_member(organisation, UserFactory(email="founder@nordlys-robotics.example"))
    add_member(organisation, UserFactory(email="cto@gmail.com"))
    return eligible_application(challenge=challenge, organisation=organisation)


CASES = {
    "member": "The reviewer is a member of the applicant organisation.",
    "same organisation": "The reviewer's organisation is the applicant organisation.",
    "website domain": "The reviewer's e-mail domain is the applicant organisation's website.",
    "member domain": "The reviewer's e-mail domain is that of a member of the applicant organisation.",
    "unrelated": "",
    "public mail": "",
}


def _reviewer(case: str, application):
    if case == "member":
        reviewer = make_reviewer("autonomy")
        add_member(application.organisation, reviewer)
        return reviewer
    if case == "same organisation":
        return make_reviewer("autonomy", affiliation="NORDLYS ROBOTICS A.S.")
    if case == "website domain":
        return make_reviewer("autonomy", email="ola@nordlys.example")
    if case == "member domain":
        return make_reviewer("autonomy", email="kari@nordlys-robotics.example")
    if case == "public mail":
        return make_reviewer("autonomy", email="someone@gmail.com")
    return make_reviewer("autonomy", affiliation="Fraunhofer IOSB", email="expert@fraunhofer.example")


@pytest.mark.parametrize("case", list(CASES))
def test_each_rule_and_its_reason(application, case):
    reviewer = _reviewer(case, application)

    assert automatic_conflict_reason(reviewer=reviewer, application=application) == CASES[case]


def test_the_bulk_form_finds_the_same_pairs_in_a_fixed_number_of_queries(application, django_assert_num_queries):
    reviewers = {case: _reviewer(case, application) for case in CASES}
    from accounts.models import User
    from applications.models import Application

    users = list(User.objects.filter(pk__in=[r.pk for r in reviewers.values()]).select_related("reviewer_profile"))
    applications = list(Application.objects.filter(pk=application.pk).select_related("organisation"))

    with django_assert_num_queries(2):
        found = automatic_conflicts(reviewers=users, applications=applications)

    expected = {(reviewers[case].pk, application.pk) for case, reason in CASES.items() if reason}
    assert set(found) == expected
