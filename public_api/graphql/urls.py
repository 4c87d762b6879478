from django.conf import settings
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from .views import StayBookGraphQLView

# CSRF-exempt is safe because only bearer tokens authenticate here (see views.py).
urlpatterns = [
    path(
        "",
        csrf_exempt(StayBookGraphQLView.as_view(graphiql=settings.DEBUG)),
        name="graphql",
    )
]
