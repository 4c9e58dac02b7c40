"""The pages: the reviewer's journey, blind review, conflicts hidden everywhere, MFA for
new reviewers, the staff pages' forms, and a query-count guard on every list."""

from datetime import timedelta

import pytest
import rules
from django.urls import reverse

from applications.models import Application
from applications.services import application_withdraw
from notifications.models import Message
from reviews import services
from reviews.enums import AssignmentStatus
from reviews.models import Assignment, AssignmentRun, Review
from reviews.selectors import assignment_list_for_reviewer, visible_assignment_q
from reviews.tasks import plan_review_reminders, run_assignment
from tests.applications.factories import add_member
from tests.factories import UserFactory
from tests.reviews.factories import (
    assign,
    challenge_in,
    eligible_application,
    make_reviewer,
    programme_with_rubric,
    staff,
    submit_review,
)

pytestmark = pytest.mark.django_db
A = AssignmentStatus


@pytest.fixture
def setting():
    programme = programme_with_rubric()
    challenge = challenge_in(programme, "autonomy")
    return {
        "programme": programme,
        "challenge": challenge,
        "application": eligible_application(challenge=challenge),
        "reviewer": make_reviewer("autonomy", full_name="Dr Marek Nowak"),
        "manager": staff(),
    }


def _form_data(programme, value=4, **extra) -> dict:
    data = {f"score_{criterion.pk}": str(value) for criterion in programme.criteria.all()}
    return {
        **data,
        "recommendation": "fund",
        "confidence": "3",
        "comment_for_applicant": "Clear military user; sharpen the route to market.",
        "internal_comment": "Credible team.",
        **extra,
    }


def test_reviewer_answers_no_conflict_saves_a_draft_then_submits(client, setting):
    assignment = assign(setting["application"], setting["reviewer"], by=setting["manager"])
    client.force_login(setting["reviewer"])
    url = reverse("reviews:assignment_detail", args=[assignment.pk])

    question = client.get(url)
    answered = client.post(url, {"answer": "none"})
    form_page = client.get(url)
    draft = client.post(url, {**_form_data(setting["programme"], recommendation=""), "save": "1"})
    submitted = client.post(url, {**_form_data(setting["programme"]), "submit": "1"})
    read_only = client.get(url).content.decode()

    assert "Do you have a conflict of interest" in question.content.decode()
    assert (answered.status_code, answered["Location"]) == (302, url)
    assert setting["application"].solution in form_page.content.decode()
    assert draft.status_code == 302
    assert submitted.status_code == 302
    review = Review.objects.get()
    assert (review.recommendation, review.confidence) == ("fund", 3)
    assert review.submitted_at is not None
    assert "Submit review" not in read_only
    assert "Clear military user; sharpen the route to market." in read_only


def test_the_review_form_states_each_criterion_s_scale(client, setting):
    criterion = setting["programme"].criteria.get(name="Technical feasibility")
    criterion.scale_min, criterion.scale_max = 1, 10
    criterion.save(update_fields=["scale_min", "scale_max"])
    assignment = assign(setting["application"], setting["reviewer"], status=A.ACCEPTED, by=setting["manager"])
    client.force_login(setting["reviewer"])

    page = client.get(reverse("reviews:assignment_detail", args=[assignment.pk])).content.decode()

    assert "Defence relevance (0\u20135)" in page  # an en dash
    assert "Technical feasibility (1\u201310)" in page


def test_an_incomplete_submission_is_a_form_error_not_a_500(client, setting):
    assignment = assign(setting["application"], setting["reviewer"], status=A.ACCEPTED, by=setting["manager"])
    client.force_login(setting["reviewer"])
    data = _form_data(setting["programme"])
    data.pop(next(iter(data)))

    response = client.post(reverse("reviews:assignment_detail", args=[assignment.pk]), {**data, "submit": "1"})

    assert response.status_code == 400
    assert "Score every criterion before submitting. Missing: Defence relevance." in response.content.decode()
    assert Assignment.objects.get().status == A.ACCEPTED


def test_the_conflict_answer_sent_twice_saves_no_empty_draft(client, setting):
    """A double click on "Record my answer": the second post reaches the review page, which
    saved it as an empty draft and said "Draft saved"."""
    assignment = assign(setting["application"], setting["reviewer"], by=setting["manager"])
    client.force_login(setting["reviewer"])
    url = reverse("reviews:assignment_detail", args=[assignment.pk])

    first = client.post(url, {"answer": "none"})
    second = client.post(url, {"answer": "none"}, follow=True)

    assert first.status_code == 302
    assert second.status_code == 200
    assert "Draft saved" not in second.content.decode()
    assert not Review.objects.filter(assignment=assignment).exists()


def test_declaring_a_conflict_without_a_reason_is_a_form_error(client, setting):
    assignment = assign(setting["application"], setting["reviewer"], by=setting["manager"])
    client.force_login(setting["reviewer"])

    response = client.post(reverse("reviews:assignment_detail", args=[assignment.pk]), {"answer": "conflict"})

    assert response.status_code == 400
    assert "Say briefly what the conflict of interest is." in response.content.decode()


def test_the_reviewer_is_told_what_happens_after_a_conflict_and_when_they_submitted(client, setting):
    """Nothing reassigns the application by itself: staff do. And the inbox's "Due"
    column shows, for a submitted review, when it was submitted: say so."""
    declared = assign(setting["application"], setting["reviewer"], by=setting["manager"])
    other = eligible_application(challenge=setting["challenge"])
    done = assign(other, setting["reviewer"], status=A.SUBMITTED, by=setting["manager"])
    client.force_login(setting["reviewer"])

    response = client.post(
        reverse("reviews:assignment_detail", args=[declared.pk]),
        {"answer": "conflict", "reason": "I advise them."},
        follow=True,
    )
    page = response.content.decode()

    assert "DIANA staff will ask another reviewer." in page
    assert "is reassigned" not in page
    assert f"Submitted {done.review.submitted_at:%-d %b %Y, %H:%M} UTC" in page


def test_the_pool_says_its_loads_span_every_programme_and_the_maximum_is_per_programme(client, setting):
    client.force_login(setting["manager"])

    page = client.get(reverse("reviews:staff_pool")).content.decode()

    assert "Open / live assignments, every programme" in page
    assert "Maximum load per programme" in page


def test_blind_review_other_reviews_only_after_submitting_ones_own(client, setting):
    other = make_reviewer("autonomy", full_name="Prof Ingrid Berg")
    submitted = assign(setting["application"], other, status=A.SUBMITTED, by=setting["manager"])
    mine = assign(setting["application"], setting["reviewer"], status=A.ACCEPTED, by=setting["manager"])
    client.force_login(setting["reviewer"])
    url = reverse("reviews:assignment_detail", args=[mine.pk])

    before = client.get(url).content.decode()
    submit_review(mine, values=2)
    after = client.get(url).content.decode()

    internal = submitted.review.internal_comment
    assert internal not in before
    assert "The other reviews" not in before
    assert internal in after
    assert "Reviewer 1" in after
    assert "Prof Ingrid Berg" not in after


def test_blind_review_never_shows_a_review_whose_reviewer_was_found_conflicted(client, setting):
    """Staff record a conflict after a reviewer submitted: the review no longer counts
    (the ranking drops it), and the other reviewers must not read it either."""
    conflicted = make_reviewer("autonomy", full_name="Prof Ingrid Berg")
    theirs = assign(setting["application"], conflicted, status=A.SUBMITTED, by=setting["manager"])
    Review.objects.filter(assignment=theirs).update(internal_comment="Written by a shareholder.")
    services.conflict_declare_by_staff(
        reviewer=conflicted, application=setting["application"], reason="Shareholder.", by=setting["manager"]
    )
    mine = assign(setting["application"], setting["reviewer"], status=A.SUBMITTED, by=setting["manager"])
    client.force_login(setting["reviewer"])

    page = client.get(reverse("reviews:assignment_detail", args=[mine.pk])).content.decode()

    assert "The other reviews" in page
    assert "Written by a shareholder." not in page
    assert "No other review is submitted yet." in page


def test_a_conflicted_reviewer_finds_nothing_of_the_application_anywhere(client, setting, time_machine):
    application = setting["application"]
    assignment = assign(application, setting["reviewer"], status=A.CONFLICTED, by=setting["manager"])
    client.force_login(setting["reviewer"])

    inbox = client.get(reverse("reviews:inbox")).content.decode()
    page = client.get(reverse("reviews:assignment_detail", args=[assignment.pk]))
    time_machine.move_to(setting["programme"].review_deadline - timedelta(days=1))
    plan_review_reminders()

    assert application.reference not in inbox
    assert application.display_title() not in inbox
    assert page.status_code == 404
    mail_after_conflict = Message.objects.filter(recipient=setting["reviewer"]).exclude(kind="review-assigned")
    assert not mail_after_conflict.exists()
    assert list(assignment_list_for_reviewer(user=setting["reviewer"])) == []


def test_a_reviewer_who_joins_the_applicant_sees_nothing_more(client, setting):
    assignment = assign(setting["application"], setting["reviewer"], status=A.ACCEPTED, by=setting["manager"])
    add_member(setting["application"].organisation, setting["reviewer"])
    client.force_login(setting["reviewer"])

    assert client.get(reverse("reviews:assignment_detail", args=[assignment.pk])).status_code == 404
    assert setting["application"].reference not in client.get(reverse("reviews:inbox")).content.decode()


def test_an_application_withdrawn_in_review_leaves_the_reviewers_work(client, setting):
    """The applicant withdrew: the open assignment is no longer work to do (it stayed in
    "To review" with its due date, and the draft could still be scored and submitted),
    while a review already submitted stays on the other reviewer's record."""
    application = setting["application"]
    open_one = assign(application, setting["reviewer"], status=A.ACCEPTED, by=setting["manager"])
    submit_review(open_one, submit=False)
    other = make_reviewer("autonomy")
    done = assign(application, other, status=A.SUBMITTED, by=setting["manager"])
    owner = add_member(application.organisation)
    application_withdraw(application=application, by=owner, reason="Acquired by a competitor.")
    client.force_login(setting["reviewer"])

    inbox = client.get(reverse("reviews:inbox")).content.decode()
    page = client.get(reverse("reviews:assignment_detail", args=[open_one.pk]))
    open_one.refresh_from_db()
    with pytest.raises(services.ReviewError, match="withdrawn: there is nothing left to review"):
        submit_review(open_one)

    assert application.reference not in inbox
    assert page.status_code == 404
    assert not rules.has_perm("reviews.view_assignment", setting["reviewer"], open_one)
    client.force_login(other)
    assert client.get(reverse("reviews:assignment_detail", args=[done.pk])).status_code == 200
    assert application.reference in client.get(reverse("reviews:inbox")).content.decode()


@pytest.mark.parametrize("withdrawn", [False, True])
@pytest.mark.parametrize("status", list(A))
def test_the_object_check_and_the_list_agree(setting, status, withdrawn):
    assignment = assign(setting["application"], setting["reviewer"], status=status, by=setting["manager"])
    others = [make_reviewer("autonomy"), UserFactory()]
    if withdrawn:
        Application.objects.filter(pk=setting["application"].pk).update(status="withdrawn")
        assignment = Assignment.objects.select_related("application").get(pk=assignment.pk)

    for user in [setting["reviewer"], *others]:
        listed = Assignment.objects.filter(visible_assignment_q(user), pk=assignment.pk).exists()
        assert listed == rules.has_perm("reviews.view_assignment", user, assignment), (user, status)
    visible = {A.SUBMITTED} if withdrawn else {A.ASSIGNED, A.ACCEPTED, A.SUBMITTED}
    assert rules.has_perm("reviews.view_assignment", setting["reviewer"], assignment) == (status in visible)


def test_a_new_reviewer_must_enrol_a_second_factor_before_reviewing(client, setting, settings):
    settings.REQUIRE_STAFF_MFA = True
    invitation = services.invitation_create(email="new.expert@review.example", by=setting["manager"])
    invitee = UserFactory(email="new.expert@review.example")
    client.force_login(invitee)

    accepted = client.post(
        reverse("reviews:invitation_accept", args=[invitation.token]),
        {
            "nation": "DK",
            "affiliation_type": "academia",
            "affiliation": "DTU",
            "max_load": "10",
            "areas": [setting["challenge"].technology_areas.get().pk],
        },
    )
    inbox = client.get(reverse("reviews:inbox"))

    assert accepted.status_code == 302
    assert (inbox.status_code, inbox["Location"]) == (302, reverse("mfa_activate_totp"))


def test_the_invitation_page_tells_whoever_accepted_it_so(client, setting, settings):
    settings.REQUIRE_STAFF_MFA = False  # the wording, not the second factor, is tested here
    invitation = services.invitation_create(email="new.expert@review.example", by=setting["manager"])
    invitee = UserFactory(email="new.expert@review.example")
    client.force_login(invitee)
    url = reverse("reviews:invitation_accept", args=[invitation.token])
    answer = {
        "nation": "DK",
        "affiliation_type": "academia",
        "affiliation": "DTU",
        "max_load": "10",
        "areas": [setting["challenge"].technology_areas.get().pk],
    }
    client.post(url, answer)

    page = client.get(url).content.decode()
    again = client.post(url, answer)

    assert "You accepted this invitation on" in page
    assert "you are in the reviewer pool." in page
    assert "expired or has already been used" not in page
    assert (again.status_code, again["Location"]) == (302, reverse("reviews:inbox"))
    client.force_login(UserFactory())
    assert "This invitation has expired or has already been used." in client.get(url).content.decode()


def test_the_profile_form_speaks_to_the_reviewer_and_of_them_to_staff(client, setting):
    reviewer = setting["reviewer"]
    client.force_login(setting["manager"])
    staff_page = client.get(reverse("reviews:staff_reviewer", args=[reviewer.pk])).content.decode()
    refused = client.post(reverse("reviews:staff_reviewer", args=[reviewer.pk]), {"max_load": "0"}).content.decode()
    client.force_login(reviewer)
    own_page = client.get(reverse("reviews:profile")).content.decode()

    for page in (staff_page, refused):
        assert "The reviewer's employer. Applications from it are never assigned to them." in page
        assert "The most applications they will score in one programme." in page
        assert "Your employer" not in page
    assert "Your employer. Applications from it are never assigned to you." in own_page


def test_staff_extend_a_deadline_from_the_assignment_page(client, setting):
    assignment = assign(setting["application"], setting["reviewer"], by=setting["manager"])
    client.force_login(setting["manager"])
    new_deadline = setting["programme"].review_deadline + timedelta(days=3)

    response = client.post(
        reverse("reviews:staff_assignment_extend", args=[assignment.pk]),
        {"deadline": new_deadline.strftime("%Y-%m-%dT%H:%M"), "reason": "Sick leave."},
    )

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.deadline == new_deadline.replace(second=0, microsecond=0)
    page = client.get(reverse("reviews:staff_assignment", args=[assignment.pk])).content.decode()
    assert "Sick leave." in page


def test_withdrawing_twice_says_why_nothing_changed(client, setting):
    """The second click of a double click on Withdraw (or Extend) answered 400 with no
    message: the page of a closed assignment shows no form, and so no form error."""
    assignment = assign(setting["application"], setting["reviewer"], by=setting["manager"])
    client.force_login(setting["manager"])
    withdraw = reverse("reviews:staff_assignment_withdraw", args=[assignment.pk])
    extend = reverse("reviews:staff_assignment_extend", args=[assignment.pk])

    first = client.post(withdraw, {"reason": "Left the pool."})
    second = client.post(withdraw, {"reason": "Left the pool."})
    extended = client.post(extend, {"deadline": "2099-01-01T12:00", "reason": "More time."})

    assert first.status_code == 302
    assert second.status_code == 400
    assert "An assignment in the state “withdrawn” cannot become “withdrawn”." in second.content.decode()
    assert extended.status_code == 400
    assert "This assignment is withdrawn: there is nothing left to extend." in extended.content.decode()


def test_staff_deactivate_a_reviewer_and_see_the_open_assignments_to_reassign(client, setting):
    assignment = assign(setting["application"], setting["reviewer"], by=setting["manager"])
    client.force_login(setting["manager"])

    response = client.post(
        reverse("reviews:staff_reviewer_active", args=[setting["reviewer"].pk]), {"active": "0", "reason": "Left."}
    )
    page = client.get(reverse("reviews:staff_reviewer", args=[setting["reviewer"].pk])).content.decode()

    assert response.status_code == 302
    assert "Withdraw these assignments and assign other reviewers." in page
    assert reverse("reviews:staff_assignment", args=[assignment.pk]) in page


def test_staff_assigning_beyond_k_by_hand_are_warned_naming_the_application(client, setting):
    programme, application = setting["programme"], setting["application"]
    programme.reviewers_per_application = 1
    programme.save(update_fields=["reviewers_per_application"])
    assign(application, setting["reviewer"], by=setting["manager"])
    second = make_reviewer("autonomy", email="second@reviewers.example")
    client.force_login(setting["manager"])
    url = reverse("reviews:staff_assignment_add", args=[programme.slug])

    response = client.post(url, {"application": application.reference, "reviewer": second.email}, follow=True)

    page = response.content.decode()
    assert f"{second.get_full_name()} assigned to {application.reference}." in page
    assert (
        f"{application.reference} now has 2 reviewers, more than the 1 per application this programme asks for."
    ) in page
    assert Assignment.objects.filter(application=application, reviewer=second).exists()


def test_staff_record_a_conflict_by_reference(client, setting):
    client.force_login(setting["manager"])

    response = client.post(
        reverse("reviews:staff_reviewer_conflict", args=[setting["reviewer"].pk]),
        {"application": setting["application"].reference.lower(), "reason": "Shareholder."},
    )

    assert response.status_code == 302
    assert setting["reviewer"].review_conflicts.get().reason == "Shareholder."


def test_the_profile_form_still_saves_the_profile_after_a_refused_conflict(client, setting):
    """A refused conflict re-renders the reviewer's page at the conflict URL: the profile
    form, with no action of its own, then posted there, and staff got the conflict
    form's errors instead of their profile saved."""
    client.force_login(setting["manager"])
    reviewer = setting["reviewer"]
    refused = client.post(
        reverse("reviews:staff_reviewer_conflict", args=[reviewer.pk]), {"application": "NOPE", "reason": "Advisor."}
    )
    page = refused.content.decode()
    action = reverse("reviews:staff_reviewer", args=[reviewer.pk])

    assert refused.status_code == 400
    assert "No application has this reference." in page
    assert f'<form method="post" action="{action}" class="card card-body shadow-sm mb-4">' in page
    saved = client.post(
        action,
        {"nation": "PL", "affiliation_type": "academia", "affiliation": "Vistula Institute", "max_load": "7",
         "areas": [setting["challenge"].technology_areas.get().pk]},
    )  # fmt: skip
    assert saved.status_code == 302
    reviewer.reviewer_profile.refresh_from_db()
    assert reviewer.reviewer_profile.max_load == 7


def test_recording_a_conflict_already_recorded_says_so(client, setting):
    """The pair holds one conflict: a second one was answered "recorded" while its reason
    was dropped."""
    client.force_login(setting["manager"])
    url = reverse("reviews:staff_reviewer_conflict", args=[setting["reviewer"].pk])
    reference = setting["application"].reference
    client.post(url, {"application": reference, "reason": "Shareholder."})

    again = client.post(url, {"application": reference, "reason": "Also a former employee."})

    assert again.status_code == 400
    assert (
        f"A conflict of interest with {reference} is already recorded (declared by staff): Shareholder."
        in again.content.decode()
    )
    assert list(setting["reviewer"].review_conflicts.values_list("reason", flat=True)) == ["Shareholder."]


def test_a_refused_invitation_shows_each_fields_error_and_keeps_what_was_typed(client, setting):
    """Any invalid invitation was answered "Give a valid e-mail address to invite", a
    personal message too long included, and what was typed was lost."""
    client.force_login(setting["manager"])

    message = "Dear expert," * 200 + "x" * 200  # 2,600 characters
    data = {"email": "new.expert@institute.example", "message": message}
    response = client.post(reverse("reviews:staff_invite"), data)
    page = response.content.decode()

    assert response.status_code == 400
    assert "Ensure this value has at most 2000 characters (it has 2600)." in page
    assert 'value="new.expert@institute.example"' in page
    assert "Give a valid e-mail address to invite." not in page
    # Rendered at the invitation's URL, which takes only POST: the search goes to the pool.
    assert f'<form method="get" action="{reverse("reviews:staff_pool")}"' in page


def test_the_pools_search_is_kept_whole_in_its_page_links(client, setting):
    client.force_login(setting["manager"])

    response = client.get(reverse("reviews:staff_pool"), {"q": "R&D #1"})

    assert response.context["query_string"] == "q=R%26D+%231"


# --- Query counts: the same for one row and for many -------------------------------------------------


@pytest.mark.parametrize("count", [1, 4])
def test_inbox_query_count_is_flat(client, setting, django_assert_num_queries, count):
    for _ in range(count):
        application = eligible_application(challenge=setting["challenge"])
        assign(application, setting["reviewer"], status=A.ACCEPTED, by=setting["manager"])
    client.force_login(setting["reviewer"])
    client.get(reverse("reviews:inbox"))  # warm the session

    with django_assert_num_queries(6):
        response = client.get(reverse("reviews:inbox"))

    assert response.content.decode().count("criteria scored") == count


@pytest.mark.parametrize("count", [1, 4])
def test_staff_pool_query_count_is_flat(client, setting, django_assert_num_queries, count):
    for _ in range(count):
        make_reviewer("autonomy", "space")
    client.force_login(setting["manager"])
    client.get(reverse("reviews:staff_pool"))

    with django_assert_num_queries(9):
        response = client.get(reverse("reviews:staff_pool"))

    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 4])
def test_staff_assignment_list_query_count_is_flat(client, setting, django_assert_num_queries, count):
    for _ in range(count):
        assign(eligible_application(challenge=setting["challenge"]), make_reviewer("autonomy"), by=setting["manager"])
    client.force_login(setting["manager"])
    url = reverse("reviews:staff_assignment_list", args=[setting["programme"].slug])
    client.get(url)

    with django_assert_num_queries(8):
        response = client.get(url)

    assert response.content.decode().count('href="/reviews/staff/assignments/') == count


@pytest.mark.parametrize("count", [1, 4])
def test_proposal_page_query_count_is_flat(client, setting, django_assert_num_queries, count):
    for _ in range(count):
        eligible_application(challenge=setting["challenge"])
    for _ in range(3):
        make_reviewer("autonomy")
    run = AssignmentRun.objects.create(programme=setting["programme"], created_by=setting["manager"])
    run_assignment(run_id=run.pk)
    client.force_login(setting["manager"])
    url = reverse("reviews:run_detail", args=[run.pk])
    client.get(url)

    with django_assert_num_queries(7):
        response = client.get(url)

    assert response.content.decode().count('value="remove"') == 3 * (count + 1)


@pytest.mark.parametrize("count", [1, 4])
def test_staff_programme_list_query_count_is_flat(client, setting, django_assert_num_queries, count):
    for _ in range(count - 1):
        programme_with_rubric()
    client.force_login(setting["manager"])
    client.get(reverse("reviews:staff_programmes"))

    with django_assert_num_queries(6):
        response = client.get(reverse("reviews:staff_programmes"))

    assert response.status_code == 200


def test_the_proposal_page_shows_load_fit_and_both_costs(client, setting):
    for _ in range(3):
        make_reviewer("autonomy")
    run = AssignmentRun.objects.create(programme=setting["programme"], created_by=setting["manager"])
    run_assignment(run_id=run.pk)
    run.refresh_from_db()
    client.force_login(setting["manager"])

    page = client.get(reverse("reviews:run_detail", args=[run.pk])).content.decode()

    assert f'data-testid="total-cost">{run.total_cost}<' in page
    assert f'data-testid="greedy-cost">{run.greedy_cost}<' in page
    assert "3 full, 0 partial, 0 none" in page
    assert "1 / 20" in page
    assert "Proposed / load left" in page  # the 20 is what the reviewer has left, not their maximum
    assert Application.objects.get().reference in page
    assert "Autonomy" in page  # the area by name, not its slug


def test_a_run_with_nothing_to_assign_offers_no_apply_and_the_apply_is_refused(client, setting):
    owner = UserFactory()
    add_member(setting["application"].organisation, owner)
    application_withdraw(application=setting["application"], by=owner)
    run = AssignmentRun.objects.create(programme=setting["programme"], created_by=setting["manager"])
    run_assignment(run_id=run.pk)
    run.refresh_from_db()
    client.force_login(setting["manager"])

    page = client.get(reverse("reviews:run_detail", args=[run.pk])).content.decode()

    assert run.proposal["pairs"] == []
    assert reverse("reviews:run_apply", args=[run.pk]) not in page
    assert "There is nothing to assign" in page
    assert reverse("reviews:run_discard", args=[run.pk]) in page
    refused = client.post(reverse("reviews:run_apply", args=[run.pk]), follow=True).content.decode()
    assert "The proposal is empty: there is nothing to apply." in refused
    run.refresh_from_db()
    assert run.state == "done"


def test_a_proposal_emptied_by_hand_offers_no_apply(client, setting):
    for _ in range(3):
        make_reviewer("autonomy")
    run = AssignmentRun.objects.create(programme=setting["programme"], created_by=setting["manager"])
    run_assignment(run_id=run.pk)
    run.refresh_from_db()
    for app_id, rev_id in list(run.proposal["pairs"]):
        services.run_remove_pair(run=run, application_id=app_id, reviewer_id=rev_id, by=setting["manager"])
    client.force_login(setting["manager"])

    page = client.get(reverse("reviews:run_detail", args=[run.pk])).content.decode()

    assert reverse("reviews:run_apply", args=[run.pk]) not in page
    assert "The proposal is empty: there is nothing to apply. Add pairs by hand, or discard it." in page
    assert "Add a pair by hand" in page
    with pytest.raises(services.ReviewError, match="The proposal is empty"):
        services.run_apply(run=run, by=setting["manager"])


def test_an_assignment_made_by_a_run_shows_the_run_in_its_history(client, setting):
    for _ in range(3):
        make_reviewer("autonomy")
    run = AssignmentRun.objects.create(programme=setting["programme"], created_by=setting["manager"])
    run_assignment(run_id=run.pk)
    run.refresh_from_db()
    applier = staff()
    assignment = services.run_apply(run=run, by=applier)[0]
    client.force_login(setting["manager"])

    page = client.get(reverse("reviews:staff_assignment", args=[assignment.pk])).content.decode()

    assert "Assigned by an assignment run" in page
    assert reverse("reviews:run_detail", args=[run.pk]) in page
    assert f"Applied by {applier.get_full_name()}; the run was started by {setting['manager'].get_full_name()}" in page
    assert "Nothing yet." not in page


def test_staff_remove_and_add_a_pair_on_the_proposal_page(client, setting):
    for _ in range(4):
        make_reviewer("autonomy")
    run = AssignmentRun.objects.create(programme=setting["programme"], created_by=setting["manager"])
    run_assignment(run_id=run.pk)
    run.refresh_from_db()
    app_id, rev_id = run.proposal["pairs"][0]
    client.force_login(setting["manager"])
    url = reverse("reviews:run_edit", args=[run.pk])

    removed = client.post(url, {"action": "remove", "application": app_id, "reviewer": rev_id})
    run.refresh_from_db()
    after_remove = list(run.proposal["pairs"])
    added = client.post(url, {"action": "add", "application": app_id, "reviewer": rev_id})
    run.refresh_from_db()

    assert removed.status_code == added.status_code == 302
    assert [app_id, rev_id] not in after_remove
    assert [app_id, rev_id] in run.proposal["pairs"]
    assert run.proposal["edited"] is True
    page = client.get(reverse("reviews:run_detail", args=[run.pk])).content.decode()
    assert "after your edits" in page
