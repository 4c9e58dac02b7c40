from datetime import UTC, datetime

import pytest
from django.db import transaction

from accounts.enums import Role
from notifications.enums import Category, Channel, State
from notifications.models import Message
from notifications.services import (
    KeyConflict,
    NewMessage,
    message_cancel_pending,
    message_cancel_pending_keys,
    message_enqueue,
    message_enqueue_many,
)
from tests.factories import make_user
from tests.notifications.conftest import enqueue

pytestmark = pytest.mark.django_db


def test_enqueue_same_key_twice_stores_one_row():
    user = make_user(Role.INNOVATOR)

    first = enqueue(user, key="decision:7")
    second = enqueue(user, key="decision:7", title="Changed title")

    assert Message.objects.count() == 1
    assert second.pk == first.pk
    assert second.subject == "A message"  # the stored row is not re-rendered


def test_enqueue_same_key_for_another_recipient_is_refused():
    enqueue(make_user(Role.INNOVATOR), key="decision:7")

    with pytest.raises(KeyConflict, match="decision:7"):
        enqueue(make_user(Role.INNOVATOR), key="decision:7")


def test_enqueue_renders_subject_text_and_html_once():
    user = make_user(Role.INNOVATOR, full_name="Ada Lovelace")

    message = message_enqueue(
        to=user,
        key="welcome:x",
        kind="welcome",
        category=Category.ACCOUNT,
        template="notifications/messages/welcome",
        link="/messages/",
    )

    assert message.subject == "Welcome to the NATO DIANA portal"
    assert message.body_text.startswith("Dear Ada Lovelace,\n")
    assert "https://localhost/messages/" in message.body_text
    assert '<a href="https://localhost/messages/"' in message.body_html
    assert (message.to_email, message.recipient, message.state) == (user.email, user, State.PENDING)


def test_text_is_not_html_escaped_but_html_is():
    user = make_user(Role.INNOVATOR)

    message = enqueue(user, title='R&D <quantum> "sensing"', text="Fish & chips <b>")

    assert message.subject == 'R&D <quantum> "sensing"'
    assert message.body_text == "Fish & chips <b>\n"
    assert "Fish &amp; chips &lt;b&gt;" in message.body_html


def test_context_is_stored_as_json_and_must_hold_plain_values():
    user = make_user(Role.INNOVATOR)
    closes_at = datetime(2026, 7, 11, 12, 0, tzinfo=UTC)

    message = enqueue(user, text="x", key="k1")
    message_enqueue(
        to=user,
        key="k2",
        kind="t",
        category=Category.REMINDER,
        template="notifications/messages/notice",
        context={"title": "Closes", "text": "soon", "closes_at": closes_at},
    )

    assert message.context == {"title": "A message", "text": "x"}
    assert Message.objects.get(key="k2").context["closes_at"] == "2026-07-11T12:00:00Z"
    with pytest.raises(ValueError, match="JSON"):
        enqueue(user, key="k3", text=object())


def test_enqueue_to_an_address_without_an_account():
    message = enqueue("Invitee@Startup.example", key="org-invitation:3", category=Category.INVITATION)

    assert (message.recipient, message.to_email) == (None, "Invitee@Startup.example")
    assert enqueue("invitee@startup.example", key="org-invitation:3").pk == message.pk


def test_portal_only_message_is_never_emailed():
    message = enqueue(make_user(Role.INNOVATOR), channel=Channel.PORTAL)

    assert message.state == State.PORTAL_ONLY


def test_enqueue_rolls_back_with_the_change_it_reports():
    user = make_user(Role.INNOVATOR)

    def submit_then_fail() -> None:
        with transaction.atomic():
            enqueue(user, key="submitted:1")
            raise RuntimeError("the submission failed")

    with pytest.raises(RuntimeError):
        submit_then_fail()

    assert not Message.objects.filter(key="submitted:1").exists()


def test_enqueue_many_skips_stored_keys_and_stores_the_rest(django_assert_num_queries):
    users = [make_user(Role.INNOVATOR) for _ in range(3)]
    enqueue(users[0], key="review-reminder:1:T-7d")
    batch = [
        NewMessage(
            to=user,
            key=f"review-reminder:{n}:T-7d",
            kind="review-reminder",
            category=Category.REMINDER,
            template="notifications/messages/notice",
            context={"title": "Reminder", "text": "Score it."},
        )
        for n, user in enumerate(users, start=1)
    ]

    with django_assert_num_queries(2):  # the stored keys, then one INSERT
        created = message_enqueue_many(messages=batch)

    assert created == 2
    assert Message.objects.filter(key__startswith="review-reminder:").count() == 3
    assert message_enqueue_many(messages=batch) == 0


def test_enqueue_many_refuses_a_key_used_for_someone_else():
    enqueue(make_user(Role.INNOVATOR), key="k")
    other = NewMessage(
        to=make_user(Role.INNOVATOR),
        key="k",
        kind="t",
        category=Category.REMINDER,
        template="notifications/messages/notice",
    )

    with pytest.raises(KeyConflict):
        message_enqueue_many(messages=[other])


def notice(to, key: str, title: str = "Reminder") -> NewMessage:
    return NewMessage(
        to=to,
        key=key,
        kind="t",
        category=Category.REMINDER,
        template="notifications/messages/notice",
        context={"title": title, "text": "..."},
    )


def test_enqueue_many_refuses_a_key_given_twice_in_the_batch_for_two_recipients():
    first, second = make_user(Role.INNOVATOR), make_user(Role.INNOVATOR)

    with pytest.raises(KeyConflict, match="twice in the batch"):
        message_enqueue_many(messages=[notice(first, "k"), notice(first, "other"), notice(second, "k")])

    assert not Message.objects.exists()  # nothing of the batch is stored


def test_enqueue_many_refuses_a_user_and_a_bare_address_under_one_key():
    user = make_user(Role.INNOVATOR)

    with pytest.raises(KeyConflict):
        message_enqueue_many(messages=[notice(user, "k"), notice(user.email, "k")])


def test_enqueue_many_stores_a_key_given_twice_for_one_recipient_once_from_the_first_entry():
    user = make_user(Role.INNOVATOR)
    batch = [
        notice(user, "k", title="First"),
        notice(user, "k", title="Second"),
        notice("Invitee@startup.example", "inv", title="First"),
        notice("invitee@startup.example ", "inv", title="Second"),  # the same address, spelt differently
    ]

    created = message_enqueue_many(messages=batch)

    assert created == 2
    assert dict(Message.objects.values_list("key", "subject")) == {"k": "First", "inv": "First"}


def test_cancel_pending_withdraws_unsent_messages_by_key_prefix():
    user = make_user(Role.INNOVATOR)
    unsent = enqueue(user, key="draft-reminder:5:1:T-7d", category=Category.REMINDER)
    sent = enqueue(user, key="draft-reminder:5:1:T-1d", category=Category.REMINDER)
    Message.objects.filter(pk=sent.pk).update(state=State.SENT)
    other = enqueue(user, key="draft-reminder:50:1:T-7d", category=Category.REMINDER)

    count = message_cancel_pending(key_prefix="draft-reminder:5:")

    assert count == 1
    states = dict(Message.objects.values_list("pk", "state"))
    assert states == {unsent.pk: State.CANCELLED, sent.pk: State.SENT, other.pk: State.PENDING}


def test_cancel_pending_keys_withdraws_exactly_the_unsent_messages_with_those_keys():
    user = make_user(Role.INNOVATOR)
    unsent = enqueue(user, key="draft-reminder:5:1@20260711T120000Z:T-7d", category=Category.REMINDER)
    sent = enqueue(user, key="draft-reminder:5:1@20260711T120000Z:T-1d", category=Category.REMINDER)
    Message.objects.filter(pk=sent.pk).update(state=State.SENT)
    other = enqueue(user, key="draft-reminder:5:1@20260725T120000Z:T-7d", category=Category.REMINDER)

    count = message_cancel_pending_keys(keys=[unsent.key, sent.key, "draft-reminder:5:1@gone:T-7d"])

    assert count == 1
    states = dict(Message.objects.values_list("pk", "state"))
    assert states == {unsent.pk: State.CANCELLED, sent.pk: State.SENT, other.pk: State.PENDING}
    assert message_cancel_pending_keys(keys=[]) == 0
