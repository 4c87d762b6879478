"""Bookings: book (idempotently), list and read, answer requests, preview and cancel."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.selectors import booking_list_for_guest, booking_list_for_host, booking_visible_to
from bookings.services import booking_accept, booking_decline, booking_refund_preview
from listings.selectors import listing_visible_to
from payments.selectors import BOOKING_REFUNDS
from payments.services import booking_cancel_with_refund
from public_api.common.bookings import booking_create_idempotent
from public_api.rest.lookups import get_visible
from public_api.rest.openapi import IDEMPOTENCY_KEY, with_errors
from public_api.rest.pagination import PageNumberPagination
from public_api.rest.query import PAGINATION_PARAMS, parse_query

from . import serializers as s

BOOKING_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)


def visible_booking(request, pk):
    """Guests see their stays, hosts the bookings of their listings; others get a 404."""
    return get_visible(booking_visible_to(request.user), pk)


def idempotency_key(request) -> str | None:
    """The Idempotency-Key header; its format is checked by the core (common.idempotency)."""
    return request.headers.get("Idempotency-Key")


class BookingListView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = PageNumberPagination

    @extend_schema(
        operation_id="bookings_list",
        parameters=[
            s.BookingListQuery,
        ],
        responses=with_errors({200: s.BookingOut(many=True)}, 400, 401, 404),
    )
    def get(self, request):
        query = parse_query(s.BookingListQuery, request, extra=PAGINATION_PARAMS)
        if query.get("role") == "host":
            bookings = booking_list_for_host(request.user)
        else:
            bookings = booking_list_for_guest(request.user)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            bookings.prefetch_related(BOOKING_REFUNDS), request, view=self
        )
        return paginator.get_paginated_response(s.BookingOut(page, many=True).data)

    @extend_schema(
        operation_id="bookings_create",
        parameters=[IDEMPOTENCY_KEY],
        request=s.BookingInput,
        responses=with_errors({201: s.BookingOut}, 400, 401, 409, 422),
    )
    def post(self, request):
        key = idempotency_key(request)
        data = s.BookingInput(data=request.data)
        data.is_valid(raise_exception=True)
        stay = dict(data.validated_data)
        listing = listing_visible_to(request.user).filter(pk=stay["listing"]).first()
        if listing is None:
            raise ValidationError({"listing": ["No such listing."], "code": "listing_not_found"})
        # First run or replay, the body is booking_public_dict: BookingOut's shape.
        code, body, replayed = booking_create_idempotent(
            guest=request.user,
            listing=listing,
            check_in=stay["check_in"],
            check_out=stay["check_out"],
            guests=stay["guests"],
            key=key,
        )
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        return Response(body, status=code, headers=headers)


class BookingDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="bookings_retrieve",
        parameters=[BOOKING_ID],
        responses=with_errors({200: s.BookingOut}, 400, 401, 404),
    )
    def get(self, request, id):
        return Response(s.BookingOut(visible_booking(request, id)).data)


class BookingAcceptView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="bookings_accept",
        parameters=[BOOKING_ID],
        request=None,
        responses=with_errors({200: s.BookingOut}, 400, 401, 403, 404, 409),
    )
    def post(self, request, id):
        booking = booking_accept(booking=visible_booking(request, id), actor=request.user)
        return Response(s.BookingOut(booking).data)


class BookingDeclineView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="bookings_decline",
        parameters=[BOOKING_ID],
        request=s.ReasonInput,
        responses=with_errors({200: s.BookingOut}, 400, 401, 403, 404, 409),
    )
    def post(self, request, id):
        booking = visible_booking(request, id)
        data = s.ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        booking = booking_decline(booking=booking, actor=request.user, **data.validated_data)
        return Response(s.BookingOut(booking).data)


class RefundPreviewView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="bookings_refund_preview",
        parameters=[BOOKING_ID],
        responses=with_errors({200: s.RefundPreview}, 400, 401, 404),
    )
    def get(self, request, id):
        preview = booking_refund_preview(booking=visible_booking(request, id), actor=request.user)
        return Response(s.RefundPreview(preview).data)


class BookingCancelView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="bookings_cancel",
        parameters=[BOOKING_ID],
        request=s.ReasonInput,
        responses=with_errors({200: s.BookingOut}, 400, 401, 404, 409),
    )
    def post(self, request, id):
        booking = visible_booking(request, id)
        data = s.ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        booking = booking_cancel_with_refund(
            booking=booking, actor=request.user, **data.validated_data
        )
        return Response(s.BookingOut(booking).data)
