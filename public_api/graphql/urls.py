from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from .views import StayBookGraphQLView

# GraphiQL shows only where the GRAPHIQL setting allows it (StayBookGraphQLView).
# CSRF-exempt is safe because only bearer tokens authenticate here (see views.py).
urlpatterns = [
    path(
        "",
        csrf_exempt(StayBookGraphQLView.as_view(graphiql=True)),
        name="graphql",
    )
]
