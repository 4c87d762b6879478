from django.urls import path

from . import views

urlpatterns = [
    path("reviews/", views.ReviewCreateView.as_view(), name="review-create"),
    path("reviews/<str:id>/response/", views.ReviewResponseView.as_view(), name="review-response"),
]
