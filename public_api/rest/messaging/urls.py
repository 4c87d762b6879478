from django.urls import path

from . import views

urlpatterns = [
    path("conversations/", views.ConversationListView.as_view(), name="conversation-list"),
    path("conversations/unread/", views.UnreadCountView.as_view(), name="conversation-unread"),
    path(
        "conversations/<str:id>/",
        views.ConversationDetailView.as_view(),
        name="conversation-detail",
    ),
    path(
        "conversations/<str:id>/messages/",
        views.MessageListView.as_view(),
        name="conversation-messages",
    ),
    path(
        "conversations/<str:id>/read/",
        views.ConversationReadView.as_view(),
        name="conversation-read",
    ),
]
