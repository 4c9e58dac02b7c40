"""The messages pages and the staff outbox: every route for every role, 404 for what a
person may not see, query-count guards on the lists."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.models import AuditEvent
from notifications.enums import Category, Channel, State
from notifications.models import Message, Preference
from notifications.selectors import message_list_for_user
from tests.conftest import ALL_ROLES
from tests.factories import make_user
from tests.notifications.conftest import enqueue

pytestmark = pytest.mark.django_db

OK, REDIRECT, NOT_FOUND, NOT_ALLOWED = 200, 302, 404, 405
STAFF = {Role.PROGRAMME_MANAGER, Role.ADMIN}


def answers(*, anonymous: int, signed_in: int, staff: int | None = None) -> dict[Role, int]:
    return {
        role: anonymous if role == Role.ANONYMOUS else (staff if staff is not None and role in STAFF else signed_in)
        for role in ALL_ROLES
    }


# Paths with "{own}" use a message to the signed-in user, "{other}" one to someone else.
GET_ROUTES: dict[str, dict[Role, int]] = {
    "/messages/": answers(anonymous=REDIRECT, signed_in=OK),
    "/messages/{own}/": answers(anonymous=REDIRECT, signed_in=OK),
    "/messages/{other}/": answers(anonymous=REDIRECT, signed_in=NOT_FOUND),
    "/messages/read-all/": answers(anonymous=REDIRECT, signed_in=NOT_ALLOWED),
    "/messages/preferences/": answers(anonymous=REDIRECT, signed_in=NOT_ALLOWED),
    "/staff/outbox/": answers(anonymous=REDIRECT, signed_in=NOT_FOUND, staff=OK),
    "/staff/outbox/{other}/": answers(anonymous=REDIRECT, signed_in=NOT_FOUND, staff=OK),
    "/staff/outbox/{other}/resend/": answers(anonymous=REDIRECT, signed_in=NOT_ALLOWED),
}
POST_ROUTES: dict[str, dict[Role, int]] = {
    "/messages/read-all/": answers(anonymous=REDIRECT, signed_in=REDIRECT),
    "/messages/preferences/": answers(anonymous=REDIRECT, signed_in=REDIRECT),
    "/staff/outbox/{other}/resend/": answers(anonymous=REDIRECT, signed_in=NOT_FOUND, staff=REDIRECT),
}


def paths_for(client: Client, path: str) -> str:
    own = enqueue(client.user).pk if client.user else 0  # type: ignore[attr-defined]
    other = enqueue(make_user(Role.INNOVATOR)).pk
    Message.objects.filter(pk=other).update(state=State.FAILED)  # resendable
    return path.format(own=own, other=other)


@pytest.mark.parametrize(("path", "role"), [(p, r) for p in GET_ROUTES for r in ALL_ROLES])
def test_get_route_answers_each_role_as_declared(role_client, path, role):
    client = role_client(role)

    response = client.get(paths_for(client, path))

    assert response.status_code == GET_ROUTES[path][role], f"{role} GET {path}"


@pytest.mark.parametrize(("path", "role"), [(p, r) for p in POST_ROUTES for r in ALL_ROLES])
def test_post_route_answers_each_role_as_declared(role_client, path, role):
    client = role_client(role)

    response = client.post(paths_for(client, path))

    assert response.status_code == POST_ROUTES[path][role], f"{role} POST {path}"


def test_every_role_is_declared_for_every_route():
    for routes in (GET_ROUTES, POST_ROUTES):
        for path, declared in routes.items():
            assert set(declared) == set(ALL_ROLES), path


def test_anonymous_is_sent_to_sign_in():
    response = Client().get("/messages/")

    assert response["Location"].startswith(reverse("account_login"))


# --- The inbox ---------------------------------------------------------------------------


def test_inbox_lists_own_due_messages_newest_first(role_client):
    client = role_client(Role.INNOVATOR)
    now = timezone.now()
    older = enqueue(client.user, title="Older", due_at=now - timedelta(hours=2))
    newer = enqueue(client.user, title="Newer", due_at=now - timedelta(hours=1))
    enqueue(client.user, title="Not yet due", due_at=now + timedelta(hours=1))
    cancelled = enqueue(client.user, title="Withdrawn")
    Message.objects.filter(pk=cancelled.pk).update(state=State.CANCELLED)
    enqueue(make_user(Role.INNOVATOR), title="Someone else's")

    response = client.get(reverse("notifications:inbox"))

    assert [m.pk for m in response.context["page"].object_list] == [newer.pk, older.pk]
    assert response.context["unread_messages"].count == 2


def test_muted_reminder_still_appears_in_the_inbox(role_client, mailer):
    from notifications.services import outbox_send_due

    client = role_client(Role.INNOVATOR)
    Preference.objects.create(user=client.user, mute_reminder_emails=True)
    reminder = enqueue(client.user, category=Category.REMINDER, title="Review due in 2 days")
    outbox_send_due()

    response = client.get(reverse("notifications:inbox"))

    assert Message.objects.get(pk=reminder.pk).state == State.MUTED
    assert "Review due in 2 days" in response.content.decode()


@pytest.mark.parametrize("item_count", [1, 5])
def test_inbox_query_count_is_flat(role_client, django_assert_num_queries, item_count):
    client = role_client(Role.INNOVATOR)
    for _ in range(item_count):
        enqueue(client.user)

    # session, user, roles (nav), page count + rows, preference, unread badge
    with django_assert_num_queries(7):
        response = client.get(reverse("notifications:inbox"))

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == item_count


def test_unread_badge_shows_the_count_in_the_navigation(role_client):
    client = role_client(Role.INNOVATOR)
    enqueue(client.user)
    enqueue(client.user)

    html = client.get(reverse("home")).content.decode()

    assert 'data-testid="unread-badge">2<span class="visually-hidden"> unread</span>' in html


def test_no_badge_without_unread_messages(role_client):
    client = role_client(Role.INNOVATOR)

    html = client.get(reverse("home")).content.decode()

    assert "unread-badge" not in html
    assert reverse("notifications:inbox") in html


def test_opening_a_message_marks_it_read(role_client):
    client = role_client(Role.INNOVATOR)
    message = enqueue(client.user, title="Your decision", text="Selected for Phase 1.")

    response = client.get(reverse("notifications:detail", args=[message.pk]))

    assert "Selected for Phase 1." in response.content.decode()
    message.refresh_from_db()
    assert message.read_at is not None
    assert response.context["unread_messages"].count == 0


def test_mark_all_read(role_client):
    client = role_client(Role.INNOVATOR)
    enqueue(client.user)
    enqueue(client.user)
    someone_else = enqueue(make_user(Role.INNOVATOR))

    client.post(reverse("notifications:mark_all_read"))

    assert not Message.objects.filter(recipient=client.user, read_at__isnull=True).exists()
    assert Message.objects.get(pk=someone_else.pk).read_at is None


def test_preferences_mute_and_unmute_reminder_emails(role_client):
    client = role_client(Role.INNOVATOR)

    client.post(reverse("notifications:preferences"), {"mute_reminder_emails": "on"})
    muted = Preference.objects.get(user=client.user).mute_reminder_emails
    client.post(reverse("notifications:preferences"), {})
    unmuted = Preference.objects.get(user=client.user).mute_reminder_emails

    assert (muted, unmuted) == (True, False)


def test_object_rule_and_list_selector_agree(role_client):
    client = role_client(Role.INNOVATOR)
    user = client.user
    now = timezone.now()
    candidates = [
        enqueue(user),
        enqueue(user, due_at=now + timedelta(minutes=5)),
        enqueue(user, channel=Channel.PORTAL),
        enqueue(make_user(Role.INNOVATOR)),
        enqueue("someone@startup.example"),
    ]
    for state in (State.CANCELLED, State.EXPIRED, State.MUTED, State.FAILED):
        message = enqueue(user)
        Message.objects.filter(pk=message.pk).update(state=state)
        candidates.append(message)

    listed = set(message_list_for_user(user=user).values_list("pk", flat=True))
    allowed = {m.pk for m in Message.objects.all() if user.has_perm("notifications.view_message", m)}

    assert listed == allowed
    assert len(listed) == 4  # due own, portal-only own, muted own, failed own


# --- The staff outbox -------------------------------------------------------------------


@pytest.mark.parametrize("item_count", [1, 5])
def test_outbox_query_count_is_flat(role_client, django_assert_num_queries, item_count):
    client = role_client(Role.PROGRAMME_MANAGER)
    for _ in range(item_count):
        Message.objects.filter(pk=enqueue(make_user(Role.INNOVATOR)).pk).update(state=State.FAILED)

    # session, user, roles, MFA check, page count + rows, tab counts, unread badge
    with django_assert_num_queries(8):
        response = client.get(reverse("notifications:outbox"))

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == item_count


def test_outbox_shows_failures_by_default_and_filters_by_search(role_client):
    client = role_client(Role.PROGRAMME_MANAGER)
    failed = enqueue("refused@startup.example", key="decision:1")
    Message.objects.filter(pk=failed.pk).update(state=State.FAILED, last_error="SMTPRecipientsRefused: 550")
    enqueue("fine@startup.example", key="decision:2")

    attention = client.get(reverse("notifications:outbox"))
    queued = client.get(reverse("notifications:outbox"), {"show": "queued"})
    search = client.get(reverse("notifications:outbox"), {"show": "all", "q": "decision:2"})

    assert [m.key for m in attention.context["page"].object_list] == ["decision:1"]
    assert "SMTPRecipientsRefused: 550" in attention.content.decode()
    assert [m.key for m in queued.context["page"].object_list] == ["decision:2"]
    assert [m.key for m in search.context["page"].object_list] == ["decision:2"]
    assert [(tab["name"], tab["count"]) for tab in attention.context["tabs"]] == [
        ("attention", 1),
        ("queued", 1),
        ("sent", 0),
        ("all", 2),
    ]


@pytest.mark.parametrize("state", [State.FAILED, State.UNCERTAIN, State.SENT])
def test_programme_manager_resends_a_message_and_it_is_audited(role_client, state):
    client = role_client(Role.PROGRAMME_MANAGER)
    message = enqueue("team@startup.example")
    Message.objects.filter(pk=message.pk).update(state=state, attempts=5, last_error="x")

    response = client.post(reverse("notifications:outbox_resend", args=[message.pk]))

    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.state, message.attempts, message.sent_at) == (State.PENDING, 0, None)
    event = AuditEvent.objects.get(target_type="notifications.message", target_id=str(message.pk))
    assert (event.actor, event.action, event.before["state"], event.after) == (
        client.user,
        "notifications.message_resend",
        state,
        {"state": State.PENDING},
    )
    detail = client.get(reverse("notifications:outbox_detail", args=[message.pk])).content.decode()
    assert "resent it" in detail


@pytest.mark.parametrize("state", [State.PENDING, State.SENDING, State.MUTED, State.CANCELLED])
def test_resend_is_refused_for_a_message_not_yet_done(role_client, state):
    client = role_client(Role.PROGRAMME_MANAGER)
    message = enqueue("team@startup.example")
    Message.objects.filter(pk=message.pk).update(state=state)

    response = client.post(reverse("notifications:outbox_resend", args=[message.pk]), follow=True)

    assert "cannot be sent again" in response.content.decode()
    assert Message.objects.get(pk=message.pk).state == state
    assert not AuditEvent.objects.filter(target_type="notifications.message").exists()


def test_resent_message_goes_out_again_once(role_client, mailer):
    from django.core import mail

    from notifications.services import outbox_send_due

    client = role_client(Role.PROGRAMME_MANAGER)
    message = enqueue("team@startup.example")
    Message.objects.filter(pk=message.pk).update(state=State.UNCERTAIN)

    client.post(reverse("notifications:outbox_resend", args=[message.pk]))
    outbox_send_due()
    outbox_send_due()

    assert [email.to for email in mail.outbox] == [["team@startup.example"]]


def test_outbox_rows_name_the_kind_and_the_moment_that_matters(role_client):
    """A programme manager reads what each message is and when it went or goes out; the
    internal key stays on the detail page, and a reminder planned late never shows a
    due time from before it existed."""
    client = role_client(Role.PROGRAMME_MANAGER)
    created = timezone.now().replace(microsecond=0) - timedelta(hours=3)
    late = enqueue(
        "team@startup.example",
        key="draft-reminder:759:1@20261205T120000Z:T-7d",
        kind="draft-reminder",
        category=Category.REMINDER,
        due_at=created - timedelta(days=4),
    )
    retrying = enqueue("retry@startup.example", kind="application-submitted")
    planned = enqueue("planned@startup.example", kind="draft-reminder", due_at=created + timedelta(days=2))
    sent = enqueue("sent@startup.example", kind="some-future-kind")
    Message.objects.filter(pk=late.pk).update(created_at=created)
    Message.objects.filter(pk=retrying.pk).update(attempts=2, next_attempt_at=created + timedelta(days=1))
    Message.objects.filter(pk=sent.pk).update(state=State.SENT, sent_at=created + timedelta(minutes=1), attempts=1)

    response = client.get(reverse("notifications:outbox"), {"show": "all"})

    rows = {row.message.pk: (row.kind, str(row.when_label), row.when) for row in response.context["rows"]}
    assert rows == {
        late.pk: ("Draft reminder", "Due now", None),
        retrying.pk: ("Submission confirmation", "Next attempt", created + timedelta(days=1)),
        planned.pk: ("Draft reminder", "Scheduled for", created + timedelta(days=2)),
        sent.pk: ("Some future kind", "Sent", created + timedelta(minutes=1)),
    }
    page = response.content.decode()
    assert "draft-reminder:759:1@20261205T120000Z:T-7d" not in page
    assert (created - timedelta(days=4)).strftime("%-d %b %Y") not in page
    assert created.strftime("%-d %b %Y, %H:%M") in page
    assert "chunk" not in page
    assert "2 attempts" in page


def test_outbox_detail_keeps_the_key_and_names_the_kind(role_client):
    client = role_client(Role.PROGRAMME_MANAGER)
    message = enqueue("team@startup.example", key="draft-reminder:759:1@20261205T120000Z:T-7d", kind="draft-reminder")

    page = client.get(reverse("notifications:outbox_detail", args=[message.pk])).content.decode()

    assert "draft-reminder:759:1@20261205T120000Z:T-7d" in page
    assert "Draft reminder" in page
