"""The board, the decision page, the release and the export, through the pages a
programme manager uses, and what the applicant then sees."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.enums import Role
from applications.enums import ApplicationStatus
from applications.models import Membership
from applications.services import application_withdraw
from reviews.enums import AssignmentStatus
from reviews.models import Assignment, Decision
from tests.factories import UserFactory, make_user
from tests.reviews.board_factories import (
    challenge_of,
    in_review_application,
    reviewer,
    rubric_programme,
    submitted_review,
)

pytestmark = pytest.mark.django_db
S = ApplicationStatus


@pytest.fixture
def manager_client(client):
    client.force_login(make_user(Role.PROGRAMME_MANAGER))
    return client


@pytest.fixture
def board(db):
    programme = rubric_programme(slug="closed-call")
    challenge = challenge_of(programme, slug="energy")
    panel = [reviewer() for _ in range(3)]
    strong = in_review_application(challenge, title="Strong")
    middle = in_review_application(challenge, title="Middle")
    weak = in_review_application(challenge, title="Weak")
    for application, scores in ((strong, [5, 4, 5]), (middle, [3, 3, 3]), (weak, [1, 2, 1])):
        for who in panel:
            submitted_review(application, who, scores, comment_for_applicant=f"About {application.title}.")
    # Disagreement on the middle one: a fourth reviewer far from the others.
    submitted_review(middle, reviewer(), [5, 5, 5])
    # A reviewer still to submit on the weak one.
    Assignment.objects.create(application=weak, reviewer=reviewer(), status=AssignmentStatus.ACCEPTED)
    return {"programme": programme, "challenge": challenge, "strong": strong, "middle": middle, "weak": weak}


def board_url(sort: str = "") -> str:
    url = reverse("reviews:ranking_board", args=["closed-call", "energy"])
    return f"{url}?sort={sort}" if sort else url


def references(response) -> list[str]:
    return [row.application.reference for row in response.context["rows"]]


def test_board_ranks_by_normalised_score_by_default(manager_client, board):
    response = manager_client.get(board_url())

    assert response.status_code == 200
    assert references(response) == [board[name].reference for name in ("strong", "middle", "weak")]
    rows = {row.application.pk: row for row in response.context["rows"]}
    strong, middle, weak = rows[board["strong"].pk], rows[board["middle"].pk], rows[board["weak"].pk]
    assert (strong.scores.reviews, strong.expected) == (3, 3)
    assert (weak.scores.reviews, weak.expected) == (3, 4)
    assert strong.scores.mean == pytest.approx(95.0)
    assert (strong.scores.passes_thresholds, weak.scores.passes_thresholds) == (True, False)
    assert weak.scores.failed_criteria == ("Defence relevance", "Team")
    assert (strong.scores.disagreement, middle.scores.disagreement) == (False, True)
    assert (strong.rank_normalised, middle.rank_normalised, weak.rank_normalised) == (1, 2, 3)
    content = response.content.decode()
    assert "3 applications; 10 of 11 reviews submitted." in content
    assert "Below threshold" in content
    assert "Disagreement" in content


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("mean", ["weak", "middle", "strong"]),
        ("-mean", ["strong", "middle", "weak"]),
        ("-spread", ["middle", "strong", "weak"]),
        ("reviews", ["strong", "weak", "middle"]),
        ("'; drop table", ["strong", "middle", "weak"]),  # not on the whitelist: the default
    ],
)
def test_board_sorts_by_a_whitelisted_column(manager_client, board, sort, order):
    response = manager_client.get(board_url(sort))

    assert references(response) == [board[name].reference for name in order]


def test_board_never_shows_a_conflicted_reviewers_review(manager_client, board):
    conflicted = submitted_review(board["weak"], reviewer(), [5, 5, 5])
    Membership.objects.create(organisation=board["weak"].organisation, user=conflicted.assignment.reviewer)

    response = manager_client.get(board_url())

    row = next(row for row in response.context["rows"] if row.application.pk == board["weak"].pk)
    assert row.scores.reviews == 3


@pytest.mark.parametrize("count", [1, 5])
def test_board_query_count_is_flat(manager_client, django_assert_num_queries, count):
    programme = rubric_programme(slug="closed-call")
    challenge = challenge_of(programme, slug="energy")
    who = reviewer()
    for _ in range(count):
        submitted_review(in_review_application(challenge), who, [3, 4, 5])
    manager_client.get(board_url())  # warm the session and the user's roles

    # session, user, MFA, roles, programme, challenge, rubric, scores, applications, unread messages
    with django_assert_num_queries(10):
        response = manager_client.get(board_url())

    assert len(response.context["rows"]) == count


@pytest.mark.parametrize("count", [1, 5])
def test_programme_page_and_index_query_counts_are_flat(manager_client, django_assert_num_queries, count):
    programme = rubric_programme(slug="closed-call")
    for _ in range(count):
        challenge = challenge_of(programme)
        in_review_application(challenge)
    manager_client.get(reverse("reviews:ranking_index"))

    with django_assert_num_queries(7):  # session, user, MFA, roles, programmes, challenges, unread messages
        assert manager_client.get(reverse("reviews:ranking_index")).status_code == 200
    # session, user, MFA, roles, programme, challenges, the release form's choices, unread messages
    with django_assert_num_queries(8):
        assert manager_client.get(reverse("reviews:ranking_programme", args=["closed-call"])).status_code == 200


def test_bulk_decision_from_the_board_stages_without_moving(manager_client, board):
    response = manager_client.post(
        reverse("reviews:ranking_decide", args=["closed-call", "energy"]),
        {"applications": [board["middle"].pk, board["weak"].pk], "outcome": "rejected", "rationale": "Below the line."},
    )

    assert response.status_code == 302
    assert sorted(Decision.objects.values_list("application_id", "outcome", "rationale")) == sorted(
        [(board["middle"].pk, "rejected", "Below the line."), (board["weak"].pk, "rejected", "Below the line.")]
    )
    board["weak"].refresh_from_db()
    assert board["weak"].status == S.IN_REVIEW


def test_bulk_decision_refuses_an_application_of_another_challenge(manager_client, board):
    elsewhere = in_review_application(challenge_of(board["programme"]))

    response = manager_client.post(
        reverse("reviews:ranking_decide", args=["closed-call", "energy"]),
        {"applications": [elsewhere.pk], "outcome": "selected", "rationale": "Sneaky."},
    )

    assert response.status_code == 400
    assert f"Select a valid choice. {elsewhere.pk} is not one of the available choices." in response.content.decode()
    assert not Decision.objects.exists()


def test_bulk_decision_keeps_the_boards_sort(manager_client, board):
    response = manager_client.post(
        reverse("reviews:ranking_decide", args=["closed-call", "energy"]),
        {"applications": [board["weak"].pk], "outcome": "rejected", "rationale": "Below.", "sort": "-spread"},
    )

    assert response["Location"] == board_url("-spread")


def test_bulk_decision_needs_an_outcome_chosen(manager_client, board):
    response = manager_client.post(
        reverse("reviews:ranking_decide", args=["closed-call", "energy"]),
        {"applications": [board["weak"].pk], "outcome": "", "rationale": "Below."},
    )

    assert response.status_code == 400
    assert "Decision: This field is required." in response.content.decode()
    assert not Decision.objects.exists()


def test_bulk_decision_without_a_rationale_is_a_form_error(manager_client, board):
    response = manager_client.post(
        reverse("reviews:ranking_decide", args=["closed-call", "energy"]),
        {"applications": [board["weak"].pk], "outcome": "rejected", "rationale": " "},
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Decision.objects.exists()


def test_decision_page_prefills_the_feedback_and_stages_what_the_manager_edits(manager_client, board):
    url = reverse("reviews:decision_detail", args=[board["strong"].pk])
    page = manager_client.get(url)
    assert page.context["form"].initial["feedback"].startswith("Reviewer 1: About Strong.")

    response = manager_client.post(
        url, {"outcome": "selected", "rationale": "Top of the board.", "feedback": "Well done: a strong trial plan."}
    )

    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.outcome, decision.feedback) == ("selected", "Well done: a strong trial plan.")


def test_decision_page_shows_a_refused_move_as_a_form_error(manager_client, board):
    Decision.objects.create(
        application=board["strong"],
        outcome="selected",
        rationale="Done.",
        decided_by=UserFactory(),
        released_by=UserFactory(),
        released_at=board["strong"].submitted_at,
    )
    board["strong"].status = S.SELECTED
    board["strong"].save(update_fields=["status"])

    response = manager_client.post(
        reverse("reviews:decision_detail", args=[board["strong"].pk]),
        {"outcome": "rejected", "rationale": "Changed my mind.", "feedback": ""},
    )

    assert response.status_code == 400
    assert "has been released (selected) and is final." in response.content.decode()


def test_release_then_the_applicant_sees_the_decision_and_the_feedback(manager_client, board, client):
    owner = UserFactory()
    Membership.objects.create(organisation=board["strong"].organisation, user=owner, role="owner")
    manager_client.post(
        reverse("reviews:decision_detail", args=[board["strong"].pk]),
        {"outcome": "selected", "rationale": "Top of the board.", "feedback": "A strong, credible trial plan."},
    )
    applicant = type(client)()
    applicant.force_login(owner)
    detail = reverse("applications:detail", args=[board["strong"].pk])

    staged_page = applicant.get(detail).content.decode()
    assert "A strong, credible trial plan." not in staged_page
    assert "Top of the board." not in staged_page

    response = manager_client.post(reverse("reviews:ranking_release", args=["closed-call"]), {"challenge": ""})
    assert response.status_code == 302

    released_page = applicant.get(detail).content.decode()
    assert "Decision: Selected" in released_page
    assert "A strong, credible trial plan." in released_page
    assert "Top of the board." not in released_page  # the rationale stays internal
    assert "Decision released: selected" in released_page  # the timeline


def test_release_tells_the_manager_a_withdrawn_application_s_decision_was_cleared(manager_client, board):
    owner = UserFactory()
    Membership.objects.create(organisation=board["strong"].organisation, user=owner, role="owner")
    manager_client.post(
        reverse("reviews:decision_detail", args=[board["strong"].pk]),
        {"outcome": "selected", "rationale": "Top of the board.", "feedback": "Good."},
    )
    application_withdraw(application=board["strong"], by=owner)

    response = manager_client.post(
        reverse("reviews:ranking_release", args=["closed-call"]), {"challenge": ""}, follow=True
    )

    page = response.content.decode()
    reference = board["strong"].reference
    assert f"{reference} was withdrawn by the applicant: its staged decision was cleared and nothing was sent." in page
    assert "was not released" not in page
    assert "There was no staged decision to release." not in page
    assert not Decision.objects.exists()


def test_export_lists_every_counted_review_and_neutralises_formulas(manager_client, board):
    submitted_review(board["weak"], reviewer(full_name="Dana Hill"), [0, 0, 0], internal_comment="=HYPERLINK(1)")
    conflicted = submitted_review(board["weak"], reviewer(), [5, 5, 5], comment_for_applicant="From a rival.")
    Membership.objects.create(organisation=board["weak"].organisation, user=conflicted.assignment.reviewer)
    submitted_review(board["weak"], reviewer(), [2, 2, 2], status=AssignmentStatus.ACCEPTED, submitted=False)

    response = manager_client.get(reverse("reviews:ranking_export", args=["closed-call"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, body = rows[0], rows[1:]
    assert header[-6:] == [
        "Defence relevance",
        "Technical feasibility",
        "Team",
        "weighted_total",
        "comment_for_applicant",
        "internal_comment",
    ]
    assert len(body) == 11  # 3 x 3 + the middle's fourth + Dana's; not the conflicted or the draft
    dana = next(row for row in body if row[5] == "Dana Hill")
    assert dana[-6:] == ["0", "0", "0", "0.00", "", "'=HYPERLINK(1)"]
    assert all("From a rival." not in row for row in body)


@pytest.mark.parametrize("count", [1, 4])
def test_export_query_count_is_flat(manager_client, django_assert_num_queries, count):
    programme = rubric_programme(slug="closed-call")
    challenge = challenge_of(programme)
    for _ in range(count):
        submitted_review(in_review_application(challenge), reviewer(), [1, 2, 3])
    manager_client.get(reverse("reviews:ranking_index"))

    # session, user, MFA, roles, programme, rubric, reviews, their scores
    with django_assert_num_queries(8):
        response = manager_client.get(reverse("reviews:ranking_export", args=["closed-call"]))
        body = b"".join(response.streaming_content).decode()

    assert len(body.strip().splitlines()) == count + 1


def test_a_refused_bulk_decision_keeps_the_sort_and_its_links_lead_back_to_the_board(manager_client, board):
    """The refused decision is shown at the decide URL, which only takes POST: relative
    "?sort=" links there answered 405, and the sort the manager had chosen was lost."""
    response = manager_client.post(
        reverse("reviews:ranking_decide", args=["closed-call", "energy"]),
        {"applications": [board["weak"].pk], "outcome": "", "rationale": "Below.", "sort": "-spread"},
    )

    assert response.status_code == 400
    assert response.context["sort"] == "-spread"
    assert response.context["columns"]["mean"]["url"] == board_url("-mean")
    assert response.context["columns"]["spread"]["url"] == board_url("spread")
    assert f'href="{board_url("-mean")}"' in response.content.decode()
    assert manager_client.get(response.context["columns"]["mean"]["url"]).status_code == 200
