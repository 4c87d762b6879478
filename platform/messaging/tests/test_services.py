"""Conversation rules against the real database: who writes, read receipts, unread counts,
and which messages are due for an email."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts import roles
from common.errors import DomainError, NotFound, ValidationFailed
from listings.models import Listing
from messaging.models import Conversation, Message
from messaging.selectors import (
    conversation_list_for,
    conversation_visible_to,
    unread_count_total,
)
from messaging.services import (
    conversation_mark_read,
    conversation_start,
    message_notifications_collect,
    message_notifications_send,
    message_send,
)
from notifications.models import Notification
from tests.factories import HostFactory, ListingFactory, UserFactory, make_booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def host():
    return HostFactory(first_name="Hana")


@pytest.fixture
def guest():
    return UserFactory(first_name="Gina")


@pytest.fixture
def listing(host):
    return ListingFactory(host=host)


def test_a_question_opens_one_conversation_per_guest_and_listing(guest, listing):
    first = conversation_start(actor=guest, listing=listing, body="Is there parking?")
    again = conversation_start(actor=guest, listing=listing, body="And a cot?")

    assert first.pk == again.pk
    assert Conversation.objects.count() == 1
    assert list(first.messages.order_by("created_at").values_list("body", flat=True)) == [
        "Is there parking?",
        "And a cot?",
    ]


def test_a_booking_opens_the_same_thread_from_either_side(guest, host, listing):
    booking = make_booking(listing=listing, guest=guest)
    by_host = conversation_start(actor=host, booking=booking, body="Welcome! Arrival time?")
    by_guest = conversation_start(actor=guest, listing=listing, body="Around 6 pm.")

    assert by_host.pk == by_guest.pk
    assert (by_host.guest, by_host.listing) == (guest, listing)


def test_a_host_cannot_ask_their_own_listing(host, listing):
    with pytest.raises(DomainError) as refused:
        conversation_start(actor=host, listing=listing, body="Hello me")
    assert refused.value.code == "own_listing"


def test_others_drafts_and_others_bookings_do_not_exist(guest, host):
    draft = ListingFactory(host=host, status=Listing.Status.DRAFT)
    with pytest.raises(NotFound):
        conversation_start(actor=guest, listing=draft, body="Hi")
    booking = make_booking(listing=ListingFactory(host=host))
    with pytest.raises(NotFound):
        conversation_start(actor=guest, booking=booking, body="Hi")


@pytest.mark.parametrize(
    ("body", "code"),
    [("", "message_empty"), ("   \n", "message_empty"), ("x" * 5001, "message_too_long"),
     ("a\x00b", "invalid_text")],
)  # fmt: skip
def test_bad_bodies_are_refused_and_store_nothing(guest, listing, body, code):
    with pytest.raises(ValidationFailed) as refused:
        conversation_start(actor=guest, listing=listing, body=body)
    assert (refused.value.code, refused.value.field) == (code, "body")
    assert Message.objects.count() == 0


def test_a_5000_character_message_is_accepted(guest, listing):
    conversation = conversation_start(actor=guest, listing=listing, body="x" * 5000)
    assert len(conversation.messages.get().body) == 5000


def test_read_receipts_and_unread_counts(guest, host, listing):
    conversation = conversation_start(actor=guest, listing=listing, body="One")
    message_send(conversation=conversation, actor=guest, body="Two")
    other = conversation_start(actor=UserFactory(), listing=ListingFactory(host=host), body="Three")

    assert unread_count_total(host) == 3
    assert unread_count_total(guest) == 0
    counts = {c.pk: c.unread_count for c in conversation_list_for(host)}
    assert counts == {conversation.pk: 2, other.pk: 1}

    assert conversation_mark_read(conversation=conversation, actor=host) == 2
    assert unread_count_total(host) == 1
    assert all(m.read_at is not None for m in conversation.messages.all())
    # Answering reads the thread too; the guest now has one unread message.
    reply = message_send(conversation=conversation, actor=host, body="Hi!")
    assert reply.read_at is None
    assert unread_count_total(guest) == 1
    assert conversation_mark_read(conversation=conversation, actor=guest) == 1
    assert conversation_mark_read(conversation=conversation, actor=guest) == 0


def test_conversations_list_newest_message_first(guest, host):
    old = conversation_start(actor=guest, listing=ListingFactory(host=host), body="Old")
    new = conversation_start(actor=guest, listing=ListingFactory(host=host), body="New")
    assert [c.pk for c in conversation_list_for(guest)] == [new.pk, old.pk]
    message_send(conversation=old, actor=host, body="Answer")
    rows = list(conversation_list_for(guest))
    assert [c.pk for c in rows] == [old.pk, new.pk]
    assert rows[0].last_message_body == "Answer"


def test_only_the_parties_see_or_write_staff_and_auditors_only_read(guest, host, listing):
    conversation = conversation_start(actor=guest, listing=listing, body="Private words")
    stranger = UserFactory()
    other_host = HostFactory()
    staff = UserFactory(is_staff=True)
    auditor = UserFactory(groups=[roles.AUDITORS])

    for user in (stranger, other_host):
        assert not conversation_visible_to(user).filter(pk=conversation.pk).exists()
        with pytest.raises(NotFound):
            message_send(conversation=conversation, actor=user, body="Hi")
    for user in (staff, auditor):
        assert conversation_visible_to(user).filter(pk=conversation.pk).exists()
        with pytest.raises(DomainError) as refused:
            message_send(conversation=conversation, actor=user, body="Hi")
        assert refused.value.code == "not_a_participant"
        with pytest.raises(DomainError):
            conversation_mark_read(conversation=conversation, actor=user)
    assert conversation.messages.count() == 1
    assert unread_count_total(host) == 1  # nobody's look cleared the host's badge


def test_a_transferred_listing_is_answered_by_its_new_host(guest, host, listing):
    conversation = conversation_start(actor=guest, listing=listing, body="Hello")
    new_host = HostFactory()
    Listing.objects.filter(pk=listing.pk).update(host=new_host)
    conversation = Conversation.objects.select_related("listing").get(pk=conversation.pk)

    message_send(conversation=conversation, actor=new_host, body="I host it now")
    with pytest.raises(NotFound):
        message_send(conversation=conversation, actor=host, body="Me too")


def test_notifications_batch_quick_messages_and_are_collected_once(guest, host, listing):
    conversation = conversation_start(actor=guest, listing=listing, body="One")
    message_send(conversation=conversation, actor=guest, body="Two")
    now = timezone.now()

    # The guest may still be typing: nothing is due yet.
    assert message_notifications_collect(now=now) == []
    later = now + dt.timedelta(minutes=6)
    batches = message_notifications_collect(now=later)
    assert len(batches) == 1
    assert batches[0]["recipient"] == host
    assert [m.body for m in batches[0]["messages"]] == ["One", "Two"]
    # At most once.
    assert message_notifications_collect(now=later + dt.timedelta(minutes=10)) == []


def test_messages_read_before_the_email_need_none(guest, host, listing):
    conversation = conversation_start(actor=guest, listing=listing, body="Quick question")
    conversation_mark_read(conversation=conversation, actor=host)

    assert message_notifications_collect(now=timezone.now()) == []
    assert conversation.messages.get().notified_at is not None


def test_due_batches_become_one_outbox_email_each(
    guest, host, listing, django_capture_on_commit_callbacks
):
    conversation = conversation_start(actor=guest, listing=listing, body="Is there parking?")
    message_send(conversation=conversation, actor=guest, body="And a cot?")
    later = timezone.now() + dt.timedelta(minutes=6)

    with django_capture_on_commit_callbacks(execute=True):
        assert message_notifications_send(now=later) == 1
    assert message_notifications_send(now=later) == 0  # at most once
    row = Notification.objects.get()
    assert (row.event, row.recipient) == ("message_received", host)
    assert row.context["count"] == 2
    [email] = mail.outbox  # sent on commit (eager tasks in tests)
    assert email.to == [host.email]
    assert "Gina" in email.subject and listing.title in email.subject
    assert "And a cot?" in email.body
    assert guest.email not in email.body
