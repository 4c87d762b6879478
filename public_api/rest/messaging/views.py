"""Guest-host messages: conversations, their messages, read receipts and unread counts."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.selectors import booking_visible_to
from listings.selectors import listing_visible_to
from messaging.selectors import (
    conversation_list_for,
    conversation_visible_to,
    message_list,
    unread_count_total,
)
from messaging.services import conversation_mark_read, conversation_start, message_send
from public_api.rest.lookups import get_visible
from public_api.rest.openapi import with_errors
from public_api.rest.pagination import PageNumberPagination
from public_api.rest.query import PAGINATION_PARAMS, NoQuery, parse_query

from . import serializers as s

CONVERSATION_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)


def visible_conversation(request, pk):
    """The parties see a conversation (staff and auditors read it too); others get a 404."""
    return get_visible(conversation_visible_to(request.user), pk)


def _conversation_out(request, conversation) -> dict:
    row = conversation_list_for(request.user).filter(pk=conversation.pk).first()
    return s.ConversationOut(row or conversation, context={"request": request}).data


class ConversationListView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = PageNumberPagination

    @extend_schema(
        operation_id="conversations_list",
        responses=with_errors({200: s.ConversationOut(many=True)}, 400, 401, 404),
        description="Your conversations, as guest or as host, newest message first.",
    )
    def get(self, request):
        parse_query(NoQuery, request, extra=PAGINATION_PARAMS)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(conversation_list_for(request.user), request, self)
        data = s.ConversationOut(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="conversations_create",
        request=s.ConversationStartInput,
        responses=with_errors({201: s.ConversationOut}, 400, 401, 409),
        description=(
            "Write to a listing's host (a question, even before booking) or about a booking "
            "(its guest or its host). One conversation per guest and listing: writing again "
            "adds to it."
        ),
    )
    def post(self, request):
        data = s.ConversationStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        listing = booking = None
        if values.get("booking"):
            booking = booking_visible_to(request.user).filter(pk=values["booking"]).first()
            if booking is None:
                raise ValidationError(
                    {"booking": ["No such booking."], "code": "booking_not_found"}
                )
        if values.get("listing"):
            listing = listing_visible_to(request.user).filter(pk=values["listing"]).first()
            if listing is None:
                raise ValidationError(
                    {"listing": ["No such listing."], "code": "listing_not_found"}
                )
        conversation = conversation_start(
            actor=request.user, body=values["body"], listing=listing, booking=booking
        )
        return Response(_conversation_out(request, conversation), status=status.HTTP_201_CREATED)


class UnreadCountView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="conversations_unread",
        responses=with_errors({200: s.UnreadOut}, 400, 401),
    )
    def get(self, request):
        parse_query(NoQuery, request)
        return Response({"unread": unread_count_total(request.user)})


class ConversationDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="conversations_retrieve",
        parameters=[CONVERSATION_ID],
        responses=with_errors({200: s.ConversationOut}, 400, 401, 404),
    )
    def get(self, request, id):
        conversation = visible_conversation(request, id)
        parse_query(NoQuery, request)
        return Response(_conversation_out(request, conversation))


class MessageListView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = PageNumberPagination

    @extend_schema(
        operation_id="conversations_messages_list",
        parameters=[CONVERSATION_ID],
        responses=with_errors({200: s.MessageOut(many=True)}, 400, 401, 404),
        description="Newest first. Reading does not mark read: POST read/ does.",
    )
    def get(self, request, id):
        conversation = visible_conversation(request, id)
        parse_query(NoQuery, request, extra=PAGINATION_PARAMS)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(message_list(conversation), request, view=self)
        return paginator.get_paginated_response(s.MessageOut(page, many=True).data)

    @extend_schema(
        operation_id="conversations_messages_create",
        parameters=[CONVERSATION_ID],
        request=s.MessageInput,
        responses=with_errors({201: s.MessageOut}, 400, 401, 404, 409),
    )
    def post(self, request, id):
        conversation = visible_conversation(request, id)
        data = s.MessageInput(data=request.data)
        data.is_valid(raise_exception=True)
        message = message_send(
            conversation=conversation, actor=request.user, body=data.validated_data["body"]
        )
        return Response(s.MessageOut(message).data, status=status.HTTP_201_CREATED)


class ConversationReadView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="conversations_read",
        parameters=[CONVERSATION_ID],
        request=None,
        responses=with_errors({200: s.MarkReadOut}, 400, 401, 404, 409),
        description="Mark every message the other party sent as read (read receipts).",
    )
    def post(self, request, id):
        conversation = visible_conversation(request, id)
        marked = conversation_mark_read(conversation=conversation, actor=request.user)
        return Response({"marked": marked})
