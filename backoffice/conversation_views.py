"""Guest conversations in the back-office: a host reads and answers the guest of a booking or
the guests who wrote about a listing, through the core's messaging services.

Who sees what is the core's rule (messaging.selectors.conversation_visible_to): the host and
the guest are the parties; staff and auditors read every conversation and never write (the
services refuse them, and they get no reply box); everyone else gets a 404, as for a
conversation that does not exist. A party opening the thread reads it (read receipts).
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldAdminTextareaWidget

from bookings.models import Booking
from common.errors import DomainError
from messaging.models import MESSAGE_MAX_LENGTH
from messaging.selectors import (
    can_read_every_conversation,
    conversation_list_readable,
    conversation_visible_to,
)
from messaging.services import conversation_mark_read, conversation_start, is_party, message_send

from .people import full_name
from .roles import Role, request_role

READ_ONLY_NOTE = _(
    "You read this conversation as StayBook staff or auditor: only the guest and the host "
    "write in it, and your visit leaves it unread for them."
)
SHOWN = 200  # the newest messages of a thread shown on its page
INBOX_SIZE = 100


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=MESSAGE_MAX_LENGTH,
        error_messages={"required": _("Write a message.")},  # the service's words
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 4, "maxlength": MESSAGE_MAX_LENGTH}),
    )


def _readers_only(request):
    """Conversations belong to hosts (their guests), staff and auditors; moderators have none."""
    if request_role(request) not in (Role.HOST, Role.STAFF, Role.AUDITOR):
        raise Http404


def _visible_bookings(request, site):
    """Bookings this person may open in the back-office (the booking admin's scope)."""
    return site._registry[Booking].get_queryset(request)


def _send(request, form, write) -> bool:
    """Run a messaging service with the reply; a refusal shows on the form."""
    if not form.is_valid():
        return False
    try:
        write(form.cleaned_data["body"])
    except DomainError as exc:
        form.add_error("body" if exc.field in (None, "body") else None, exc.message)
        return False
    messages.success(request, _("Message sent."))
    return True


def _render(request, site, *, conversation, listing, guest, form, booking=None):
    user = request.user
    party = conversation is not None and is_party(conversation, user)
    may_write = request_role(request) == Role.HOST and (
        party if conversation is not None else booking is not None
    )
    thread = []
    if conversation is not None:
        newest = list(
            conversation.messages.select_related("sender").order_by("-created_at")[: SHOWN + 1]
        )
        thread = [
            {
                "message": message,
                "mine": message.sender_id == user.pk,
                "sender": _sender_words(message.sender, conversation, user),
            }
            for message in reversed(newest[:SHOWN])
        ]
        older = len(newest) > SHOWN
    else:
        older = False
    bookings = _visible_bookings(request, site).filter(guest=guest, listing=listing)
    context = {
        **site.each_context(request),
        "title": _("Messages with %(guest)s") % {"guest": full_name(guest)},
        "subtitle": listing.title,
        "conversation": conversation,
        "listing": listing,
        "listing_url": reverse("admin:listings_listing_change", args=[listing.pk]),
        "guest_name": full_name(guest),
        "bookings": bookings.order_by("-check_in")[:10],
        "thread": thread,
        "older": older,
        "form": form if may_write else None,
        "read_only_reason": _read_only_reason(request, party, may_write),
    }
    return TemplateResponse(request, "backoffice/conversation.html", context)


def _read_only_reason(request, party: bool, may_write: bool) -> str:
    if may_write:
        return ""
    if can_read_every_conversation(request.user):
        return str(READ_ONLY_NOTE)
    return ""


def _sender_words(sender, conversation, viewer) -> str:
    if sender.pk == viewer.pk:
        return str(_("You"))
    if sender.pk == conversation.guest_id:
        return f"{full_name(sender)} ({_('guest')})"
    return f"{full_name(sender)} ({_('host')})"


def conversation_view(request, conversation_id, *, site):
    """One thread: the messages, oldest first, and (for the host) the answer box."""
    _readers_only(request)
    conversation = get_object_or_404(conversation_visible_to(request.user), pk=conversation_id)
    form = ReplyForm(request.POST or None)
    if request.method == "POST":
        written = _send(
            request,
            form,
            lambda body: message_send(conversation=conversation, actor=request.user, body=body),
        )
        if written:
            return HttpResponseRedirect(request.path + "#latest")
    elif is_party(conversation, request.user):
        conversation_mark_read(conversation=conversation, actor=request.user)
    return _render(
        request,
        site,
        conversation=conversation,
        listing=conversation.listing,
        guest=conversation.guest,
        form=form,
    )


def booking_conversation_view(request, booking_id, *, site):
    """The conversation with a booking's guest (one per guest and listing); the host may
    write first from here."""
    _readers_only(request)
    booking = get_object_or_404(
        _visible_bookings(request, site).select_related("guest", "listing"), pk=booking_id
    )
    conversation = (
        conversation_visible_to(request.user)
        .filter(guest=booking.guest, listing=booking.listing)
        .first()
    )
    if conversation is not None:
        return HttpResponseRedirect(reverse("admin:conversation", args=[conversation.pk]))
    form = ReplyForm(request.POST or None)
    if request.method == "POST":
        started = {}

        def start(body):
            started["conversation"] = conversation_start(
                actor=request.user, booking=booking, body=body
            )

        if _send(request, form, start):
            url = reverse("admin:conversation", args=[started["conversation"].pk])
            return HttpResponseRedirect(url + "#latest")
    return _render(
        request,
        site,
        conversation=None,
        listing=booking.listing,
        guest=booking.guest,
        form=form,
        booking=booking,
    )


def inbox_view(request, *, site):
    """Every conversation this person takes part in (a host: with their guests), newest first,
    with unread counts; staff and auditors see all of them."""
    _readers_only(request)
    rows = list(conversation_list_readable(request.user)[:INBOX_SIZE])
    context = {
        **site.each_context(request),
        "title": _("Messages"),
        "rows": conversation_rows(rows, request.user),
        "more": len(rows) == INBOX_SIZE,
    }
    return TemplateResponse(request, "backoffice/conversation_inbox.html", context)


def conversation_rows(conversations, viewer) -> list[dict]:
    """What a list of conversations shows per row (inbox, listing tab, booking page)."""
    return [
        {
            "url": reverse("admin:conversation", args=[c.pk]),
            "guest": full_name(c.guest),
            "listing": c.listing.title,
            "last_message_at": c.last_message_at,
            "last_message": getattr(c, "last_message_body", None),
            "unread": getattr(c, "unread_count", 0),
        }
        for c in conversations
    ]


def conversations_of_listing(request, listing) -> list[dict]:
    """The listing's conversations this person may read, newest first, for the listing page."""
    conversations = conversation_list_readable(request.user).filter(listing=listing)
    return conversation_rows(conversations[:50], request.user)


def booking_messages_link(request, booking) -> dict:
    """The booking page's line about its guest's conversation: how many messages, how many
    unread (for the host), and where to read or start it."""
    conversation = (
        conversation_list_readable(request.user)
        .filter(guest_id=booking.guest_id, listing_id=booking.listing_id)
        .first()
    )
    url = reverse("admin:booking_conversation", args=[booking.pk])
    if conversation is None:
        return {
            "url": url,
            "count": 0,
            "unread": 0,
            "may_start": request_role(request) == Role.HOST,
        }
    return {
        "url": url,
        "count": conversation.messages.count(),
        "unread": getattr(conversation, "unread_count", 0),
        "may_answer": is_party(conversation, request.user),
        "may_start": False,
    }
