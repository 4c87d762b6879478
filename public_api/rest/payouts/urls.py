from django.urls import path

from . import views

urlpatterns = [
    path("payouts/", views.PayoutListView.as_view(), name="payout-list"),
    path("payouts/<str:id>/", views.PayoutDetailView.as_view(), name="payout-detail"),
]
