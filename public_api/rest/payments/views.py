"""Paying a booking (idempotently), reading payments, and the providers' webhooks."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.selectors import booking_visible_to
from payments.selectors import payment_visible_to
from payments.webhooks import webhook_receive
from public_api.common.payments import booking_pay_idempotent, payment_public_dict
from public_api.rest.bookings.views import idempotency_key
from public_api.rest.lookups import get_visible
from public_api.rest.openapi import IDEMPOTENCY_KEY, with_errors
from public_api.rest.pagination import PageNumberPagination
from public_api.rest.query import PAGINATION_PARAMS, NoQuery, parse_query

from . import serializers as s

ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)


class BookingPayView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="bookings_pay",
        parameters=[ID, IDEMPOTENCY_KEY],
        request=s.PayInput,
        responses=with_errors(
            {
                201: OpenApiResponse(s.PaymentOut, description="Paid: the booking is confirmed."),
                202: OpenApiResponse(s.PaymentOut, description="Processing: poll the payment."),
                402: OpenApiResponse(
                    s.PaymentRefused, description="Refused by the card's issuer; pay again."
                ),
            },
            400,
            401,
            404,
            409,
            422,
        ),
        description=(
            "Charge the booking's total. Only its guest may pay (anyone else: 404). 409 codes: "
            "already_paid, payment_in_progress, not_payable, booking_expired."
        ),
    )
    def post(self, request, id):
        key = idempotency_key(request)
        booking = get_visible(booking_visible_to(request.user), id)
        data = s.PayInput(data=request.data)
        data.is_valid(raise_exception=True)
        code, body, replayed = booking_pay_idempotent(
            guest=request.user,
            booking=booking,
            payment_method=data.validated_data["payment_method"],
            key=key,
        )
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        return Response(body, status=code, headers=headers)


class PaymentListView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = PageNumberPagination

    @extend_schema(
        operation_id="payments_list",
        responses=with_errors({200: s.PaymentOut(many=True)}, 400, 401),
        description="Your payments, and the payments of your listings' bookings (no card details).",
    )
    def get(self, request):
        parse_query(NoQuery, request, extra=PAGINATION_PARAMS)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(payment_visible_to(request.user), request, view=self)
        body = [payment_public_dict(payment, viewer=request.user) for payment in page]
        return paginator.get_paginated_response(body)


class PaymentDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="payments_retrieve",
        parameters=[ID],
        responses=with_errors({200: s.PaymentOut}, 400, 401, 404),
    )
    def get(self, request, id):
        payment = get_visible(payment_visible_to(request.user), id)
        return Response(payment_public_dict(payment, viewer=request.user))


class WebhookView(APIView):
    """Signed by the provider, not authenticated by us."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []

    @extend_schema(
        operation_id="payments_webhook",
        parameters=[
            OpenApiParameter("provider", str, OpenApiParameter.PATH, enum=["simulated", "stripe"])
        ],
        request=OpenApiTypes.OBJECT,
        responses=with_errors({200: s.WebhookAck}, 400, 404),
        description=(
            "A provider's event, signed with the `Stripe-Signature` header (refused when older "
            "than 5 minutes). Each event id is processed once; redeliveries answer 200."
        ),
        auth=[],
    )
    def post(self, request, provider):
        event = webhook_receive(
            provider_name=provider,
            payload=request.body,
            signature=request.headers.get("Stripe-Signature", ""),
        )
        return Response({"received": True, "event_id": event.event_id})
