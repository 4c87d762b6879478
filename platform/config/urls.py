"""The composition root: the only core module that knows the interfaces exist."""

from django.conf import settings
from django.urls import include, path
from django.views.generic import TemplateView

from common.health import health, ready
from common.metrics import metrics

urlpatterns = [
    # What the product is, with links to each way in (the login page's "Return to site").
    path(
        "",
        TemplateView.as_view(
            template_name="landing.html", extra_context={"debug_graphiql": settings.DEBUG}
        ),
        name="landing",
    ),
    path("admin/", include("backoffice.urls")),
    path("api/v1/", include("public_api.rest.urls")),
    path("graphql/", include("public_api.graphql.urls")),
    path("healthz", health, name="health"),
    path("ready", ready, name="ready"),
    path("metrics", metrics, name="metrics"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
