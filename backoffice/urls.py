from django.urls import path

from . import admin  # noqa: F401  (registers every ModelAdmin on the site)
from .sites import site

urlpatterns = [path("", site.urls)]
