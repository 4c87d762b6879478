"""A "Guest messages" tab on a listing's page: the conversations with its guests that this
person may read, each opening the thread (backoffice.conversation_views)."""

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from unfold.datasets import BaseDataset

from messaging.models import Conversation

from ..conversation_views import conversations_of_listing


class ListingMessagesTab(BaseDataset):
    tab = True
    title = _("Guest messages")
    model = Conversation
    model_admin = None  # the listing admin, set by messages_tab_for()

    def __init__(self, request, extra_context):
        # BaseDataset builds a changelist admin; this tab renders its own table instead.
        self.request = request
        self.object_id = (extra_context or {}).get("object")

    @property
    def contents(self) -> str:
        listing = self.model_admin.get_object(self.request, self.object_id)  # scoped: 404
        return render_to_string(
            "backoffice/messages_tab.html",
            {
                "rows": conversations_of_listing(self.request, listing),
                "tab_id": f"dataset-{self.model_name}",
            },
            request=self.request,
        )


def messages_tab_for(model_admin) -> type[ListingMessagesTab]:
    return type(
        f"{type(model_admin).__name__}MessagesTab",
        (ListingMessagesTab,),
        {"model_admin": model_admin},
    )
