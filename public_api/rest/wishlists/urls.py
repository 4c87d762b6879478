from django.urls import path

from . import views

urlpatterns = [
    path("wishlists/", views.WishlistListView.as_view(), name="wishlist-list"),
    path("wishlists/<str:id>/", views.WishlistDetailView.as_view(), name="wishlist-detail"),
    path(
        "wishlists/<str:id>/listings/",
        views.WishlistListingsView.as_view(),
        name="wishlist-listings",
    ),
    path(
        "wishlists/<str:id>/listings/<str:listing_id>/",
        views.WishlistListingView.as_view(),
        name="wishlist-listing",
    ),
]
