"""The composition root: the only core module that knows the interfaces exist."""

from django.conf import settings
from django.urls import include, path

from common.health import health, ready

urlpatterns = [
    path("admin/", include("backoffice.urls")),
    path("api/v1/", include("public_api.rest.urls")),
    path("graphql/", include("public_api.graphql.urls")),
    path("healthz", health, name="health"),
    path("ready", ready, name="ready"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
