"""/api/v1/: a root of links, one URLconf per domain, the OpenAPI schema and its Swagger UI."""

from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from .root import ApiRootView

app_name = "api"

urlpatterns = [
    path("", ApiRootView.as_view(), name="root"),
    path("", include("public_api.rest.accounts.urls")),
    path("", include("public_api.rest.listings.urls")),
    path("", include("public_api.rest.bookings.urls")),
    path("", include("public_api.rest.reviews.urls")),
    path("", include("public_api.rest.messaging.urls")),
    path("", include("public_api.rest.wishlists.urls")),
    path("", include("public_api.rest.payments.urls")),
    path("", include("public_api.rest.payouts.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # GET/HEAD only: OPTIONS would try to render the page's template as API metadata.
        # The split view serves its start-up script as a file (?script), not inline: the page
        # works under a Content-Security-Policy without 'unsafe-inline' scripts.
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", http_method_names=["get", "head"]
        ),
        name="docs",
    ),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="api:schema", http_method_names=["get", "head"]),
        name="redoc",
    ),
]
