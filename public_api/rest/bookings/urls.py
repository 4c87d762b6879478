from django.urls import path

from . import views

urlpatterns = [
    path("bookings/", views.BookingListView.as_view(), name="booking-list"),
    path("bookings/<str:id>/", views.BookingDetailView.as_view(), name="booking-detail"),
    path("bookings/<str:id>/accept/", views.BookingAcceptView.as_view(), name="booking-accept"),
    path("bookings/<str:id>/decline/", views.BookingDeclineView.as_view(), name="booking-decline"),
    path(
        "bookings/<str:id>/refund-preview/",
        views.RefundPreviewView.as_view(),
        name="booking-refund-preview",
    ),
    path("bookings/<str:id>/cancel/", views.BookingCancelView.as_view(), name="booking-cancel"),
]
