from django.urls import path

from . import views

urlpatterns = [
    path("listings/", views.ListingListView.as_view(), name="listing-list"),
    path("listings/<str:id>/", views.ListingDetailView.as_view(), name="listing-detail"),
    path(
        "listings/<str:id>/availability/",
        views.AvailabilityView.as_view(),
        name="listing-availability",
    ),
    path("listings/<str:id>/quote/", views.QuoteView.as_view(), name="listing-quote"),
    path("listings/<str:id>/reviews/", views.ListingReviewsView.as_view(), name="listing-reviews"),
    path("listings/<str:id>/blocks/", views.BlockCreateView.as_view(), name="listing-blocks"),
    path(
        "listings/<str:id>/blocks/<str:block_id>/",
        views.BlockDetailView.as_view(),
        name="listing-block-detail",
    ),
    path("listings/<str:id>/calendar/", views.CalendarView.as_view(), name="listing-calendar-edit"),
    path("listings/<str:id>/channels/", views.ChannelListView.as_view(), name="listing-channels"),
    path(
        "listings/<str:id>/channels/<str:channel_id>/",
        views.ChannelDetailView.as_view(),
        name="listing-channel-detail",
    ),
    path(
        "listings/<str:id>/channels/<str:channel_id>/sync/",
        views.ChannelSyncView.as_view(),
        name="listing-channel-sync",
    ),
    path("listings/<str:id>/photos/", views.PhotoCreateView.as_view(), name="listing-photos"),
    path(
        "listings/<str:id>/photos/<str:photo_id>/",
        views.PhotoDetailView.as_view(),
        name="listing-photo-detail",
    ),
    path(
        "listings/<str:id>/calendar.ics", views.CalendarFeedView.as_view(), name="listing-calendar"
    ),
]
