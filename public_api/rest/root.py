"""GET /api/v1/: where a client developer starts — links to the schema, the docs and the
main collections."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

LINKS = {
    "schema": "api:schema",
    "docs": "api:docs",
    "redoc": "api:redoc",
    "register": "api:auth-register",
    "token": "api:auth-token",
    "me": "api:me",
    "listings": "api:listing-list",
    "bookings": "api:booking-list",
    "reviews": "api:review-create",
}


class ApiRootView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="api_root",
        responses=inline_serializer("ApiRoot", {name: serializers.URLField() for name in LINKS}),
    )
    def get(self, request):
        return Response({name: reverse(route, request=request) for name, route in LINKS.items()})
