"""Payouts: a host reads their own, read-only (anyone else's is a 404)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from payouts.selectors import payout_list_for_host
from public_api.rest.lookups import get_visible
from public_api.rest.openapi import with_errors
from public_api.rest.pagination import PageNumberPagination
from public_api.rest.query import PAGINATION_PARAMS, NoQuery, parse_query

from . import serializers as s

PAYOUT_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)


class PayoutListView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = PageNumberPagination

    @extend_schema(
        operation_id="payouts_list",
        responses=with_errors({200: s.PayoutOut(many=True)}, 400, 401),
    )
    def get(self, request):
        parse_query(NoQuery, request, extra=PAGINATION_PARAMS)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(payout_list_for_host(request.user), request, view=self)
        return paginator.get_paginated_response(s.PayoutOut(page, many=True).data)


class PayoutDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="payouts_retrieve",
        parameters=[PAYOUT_ID],
        responses=with_errors({200: s.PayoutOut}, 400, 401, 404),
    )
    def get(self, request, id):
        return Response(s.PayoutOut(get_visible(payout_list_for_host(request.user), id)).data)
