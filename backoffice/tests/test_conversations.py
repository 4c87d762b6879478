"""Guest conversations in the back-office: the host reads and answers from the booking and
listing pages through the messaging services; staff and auditors read only; others get 404."""

import pytest
from django.urls import reverse

from messaging.models import Conversation, Message
from messaging.services import conversation_start
from tests.factories import UserFactory, future, make_booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(own_listing, guest):
    return make_booking(listing=own_listing, guest=guest, check_in=future(20))


@pytest.fixture
def conversation(booking, guest):
    return conversation_start(actor=guest, booking=booking, body="Is there parking?")


def thread_url(conversation):
    return reverse("admin:conversation", args=[conversation.pk])


def test_the_host_reads_and_answers(as_host, host, conversation):
    page = as_host.get(thread_url(conversation))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Is there parking?" in body and "Gina Guest (guest)" in body
    assert "guest@example.test" not in body  # names only, never the guest's address
    assert Message.objects.get().read_at is not None  # opening the thread reads it
    answer = as_host.post(thread_url(conversation), {"body": "Yes, in the garage."})
    assert answer.status_code == 302
    reply = Message.objects.get(sender=host)
    assert reply.body == "Yes, in the garage." and reply.conversation == conversation


def test_a_refused_message_shows_on_the_form(as_host, conversation):
    page = as_host.post(thread_url(conversation), {"body": "   "})
    assert page.status_code == 200 and "Write a message." in page.content.decode()
    too_long = as_host.post(thread_url(conversation), {"body": "x" * 5001})
    assert too_long.status_code == 200 and Message.objects.count() == 1


def test_the_host_writes_first_from_the_booking_page(as_host, host, booking):
    page = as_host.get(reverse("admin:bookings_booking_change", args=[booking.pk]))
    start_url = reverse("admin:booking_conversation", args=[booking.pk])
    assert "Write to the guest" in page.content.decode() and start_url in page.content.decode()
    sent = as_host.post(start_url, {"body": "Welcome! Any questions?"})
    conversation = Conversation.objects.get(guest=booking.guest, listing=booking.listing)
    assert sent.status_code == 302 and sent["Location"].startswith(thread_url(conversation))
    assert conversation.messages.get().sender == host
    # From now on the booking page leads to that thread.
    assert as_host.get(start_url)["Location"] == thread_url(conversation)


def test_the_listing_page_lists_its_conversations(as_host, own_listing, conversation):
    page = as_host.get(reverse("admin:listings_listing_change", args=[own_listing.pk]))
    body = page.content.decode()
    assert 'id="messages-tab"' in body and thread_url(conversation) in body
    assert "Is there parking?" in body


def test_staff_and_auditors_read_without_answering(as_staff, as_auditor, conversation):
    for client in (as_staff, as_auditor):
        inbox = client.get(reverse("admin:inbox")).content.decode()
        assert "Is there parking?" in inbox and thread_url(conversation) in inbox
        page = client.get(thread_url(conversation))
        body = page.content.decode()
        assert page.status_code == 200 and "Is there parking?" in body
        assert 'id="reply-form"' not in body and 'id="read-only-note"' in body
        assert client.post(thread_url(conversation), {"body": "Hi"}).status_code == 200
    assert Message.objects.count() == 1
    assert Message.objects.get().read_at is None  # a support look leaves it unread


def test_everyone_else_gets_404(as_moderator, other_host, conversation, booking):
    from django.test import Client

    outsider = Client()
    outsider.force_login(other_host)
    for client in (as_moderator, outsider):
        assert client.get(thread_url(conversation)).status_code == 404
        assert client.post(thread_url(conversation), {"body": "Hi"}).status_code == 404
        url = reverse("admin:booking_conversation", args=[booking.pk])
        assert client.get(url).status_code == 404
    assert Message.objects.count() == 1


def test_the_inbox_shows_unread_counts(
    as_host, own_listing, conversation, django_assert_max_num_queries
):
    for n in range(5):
        other = make_booking(listing=own_listing, guest=UserFactory(first_name=f"G{n}"),
                             check_in=future(40 + 5 * n))  # fmt: skip
        conversation_start(actor=other.guest, booking=other, body=f"Question {n}")
    with django_assert_max_num_queries(20):
        page = as_host.get(reverse("admin:inbox"))
    body = page.content.decode()
    assert body.count('title="unread"') == 6 and "Question 4" in body
