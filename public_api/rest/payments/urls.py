from django.urls import path

from . import views

urlpatterns = [
    path("bookings/<str:id>/pay/", views.BookingPayView.as_view(), name="booking-pay"),
    path("payments/", views.PaymentListView.as_view(), name="payment-list"),
    path("payments/webhooks/<str:provider>/", views.WebhookView.as_view(), name="payment-webhook"),
    path("payments/<str:id>/", views.PaymentDetailView.as_view(), name="payment-detail"),
]
