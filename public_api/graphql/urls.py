from csp.decorators import csp_exempt
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from .views import StayBookGraphQLView

# GraphiQL shows only where the GRAPHIQL setting allows it (StayBookGraphQLView).
# CSRF-exempt is safe because only bearer tokens authenticate here (see views.py). No CSP: the
# endpoint answers JSON, and the GraphiQL page (development only) is not covered by the
# browser tests that check the policy.
urlpatterns = [
    path(
        "",
        csp_exempt()(csrf_exempt(StayBookGraphQLView.as_view(graphiql=True))),
        name="graphql",
    )
]
