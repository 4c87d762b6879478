"""Reviews: a guest reviews a completed stay; the listing's host responds."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.selectors import booking_list_for_guest
from public_api.rest.lookups import get_visible
from public_api.rest.openapi import with_errors
from reviews.selectors import review_list_visible_to
from reviews.services import review_create, review_respond

from . import serializers as s

REVIEW_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)


class ReviewCreateView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="reviews_create",
        request=s.ReviewInput,
        responses=with_errors({201: s.ReviewOut}, 400, 401, 409),
    )
    def post(self, request):
        data = s.ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        booking = booking_list_for_guest(request.user).filter(pk=fields.pop("booking")).first()
        if booking is None:
            raise ValidationError({"booking": ["No such stay of yours."], "code": "not_found"})
        # Categories left out are not rated (None), exactly as the core expects.
        review = review_create(author=request.user, booking=booking, **fields)
        return Response(s.ReviewOut(review).data, status=status.HTTP_201_CREATED)


class ReviewResponseView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="reviews_respond",
        parameters=[REVIEW_ID],
        request=s.ResponseInput,
        responses=with_errors({200: s.ReviewOut}, 400, 401, 404),
    )
    def post(self, request, id):
        review = get_visible(review_list_visible_to(request.user), id)
        data = s.ResponseInput(data=request.data)
        data.is_valid(raise_exception=True)
        review = review_respond(review=review, actor=request.user, **data.validated_data)
        return Response(s.ReviewOut(review).data)
