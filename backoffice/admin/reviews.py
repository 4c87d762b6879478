"""Reviews: the moderation queue (moderators), responses (the listing's host)."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action, display

from reviews import services
from reviews.models import CATEGORY_FIELDS, Review

from ..confirm import confirmation_page, confirmed
from ..errors import apply_to_each
from ..forms import ReasonForm
from ..people import first_name, full_name, sees_identities
from ..roles import Role, request_role
from ..sites import site
from .base import BackofficeAdmin
from .filters import AutocompleteFilter


def _names_only(request, names):
    """Hosts and moderators read the moderator as a first name, never an email."""
    if sees_identities(request):
        return names
    return [
        tuple(_names_only(request, n))
        if isinstance(n, tuple)
        else "moderator_name"
        if n == "moderated_by"
        else n
        for n in names
    ]


class ResponseForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ("response",)


@admin.register(Review, site=site)
class ReviewAdmin(BackofficeAdmin):
    host_lookup = "listing__host"
    host_can_change = True  # only the response is editable, through review_respond
    moderator_can_view = True
    staff_only_list_filters = ("listing",)
    list_display = (
        "created_at",
        "listing",
        "author_name",
        "rating",
        "short_comment",
        "status_badge",
        "moderated_by",
    )
    list_select_related = ("listing", "author", "moderated_by")
    list_filter = ("status", "rating", ("listing", AutocompleteFilter))
    search_fields = ("comment", "listing__title")
    ordering = ("created_at",)  # the queue: oldest first
    actions = ("publish", "reject")
    actions_detail = ("publish_one", "reject_one")
    fields = (
        "listing",
        "author_name",
        "rating",
        "category_ratings",
        "comment",
        "status",
        "rejection_reason",
        "moderated_by",
        "moderated_at",
        "response",
        "responded_at",
        "created_at",
    )

    def get_list_display(self, request):
        return _names_only(request, super().get_list_display(request))

    def get_fields(self, request, obj=None):
        return _names_only(request, super().get_fields(request, obj))

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = ResponseForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        editable = {"response"} if request_role(request) == Role.HOST else set()
        return [
            name
            for row in self.get_fields(request, obj)
            for name in (row if isinstance(row, tuple) else (row,))
            if name not in editable
        ]

    def has_change_permission(self, request, obj=None):
        # Only hosts edit anything here (their response); moderators decide through actions.
        return request_role(request) == Role.HOST and super().has_change_permission(request, obj)

    def has_add_permission(self, request, *args):
        return False  # guests write reviews through the API

    def has_delete_permission(self, request, obj=None):
        return False

    def has_moderate_permission(self, request, obj=None):
        return request_role(request) in (Role.MODERATOR, Role.STAFF) and request.user.has_perm(
            "reviews.moderate_review"
        )

    def save_model(self, request, obj, form, change):
        services.review_respond(review=obj, actor=request.user, text=form.cleaned_data["response"])

    # --- columns ---------------------------------------------------------------------------

    @display(description=_("Guest"))
    def author_name(self, obj):
        return full_name(obj.author)

    @display(description=_("Ratings by category"))
    def category_ratings(self, obj):
        """One compact row of label-over-score cells. As six read-only fields on one line they
        overlapped their labels ("Accu4racy") and pushed the page past the window."""
        cells = [
            (Review._meta.get_field(name).verbose_name.capitalize(), getattr(obj, name))
            for name in CATEGORY_FIELDS
        ]
        items = format_html_join(
            "",
            '<li><span class="category-label">{}</span> <strong>{}</strong></li>',
            ((label, "—" if score is None else f"{score}/5") for label, score in cells),
        )
        return format_html('<ul class="category-ratings">{}</ul>', items)

    @display(description=_("Moderated by"))
    def moderator_name(self, obj):
        return first_name(obj.moderated_by) if obj.moderated_by_id else "—"

    @display(description=_("Comment"))
    def short_comment(self, obj):
        return obj.comment if len(obj.comment) <= 80 else obj.comment[:79] + "…"

    @display(
        description=_("Status"),
        ordering="status",
        label={"pending": "warning", "published": "success", "rejected": "danger"},
    )
    def status_badge(self, obj):
        return obj.status, obj.get_status_display()

    # --- moderation (through reviews.services; recorded in history with the moderator) ------

    @action(description=_("Publish"), permissions=["moderate"], icon="check_circle")
    def publish(self, request, queryset):
        apply_to_each(
            request,
            queryset,
            lambda review: services.review_publish(review=review, actor=request.user),
            done=("{count} review published.", "{count} reviews published."),
        )

    @action(description=_("Reject with a reason"), permissions=["moderate"], icon="block")
    def reject(self, request, queryset):
        form = ReasonForm(request.POST if confirmed(request) else None)
        if not (confirmed(request) and form.is_valid()):
            rows = [
                [r.listing, r.rating, r.comment[:120]] for r in queryset.select_related("listing")
            ]
            return confirmation_page(
                self,
                request,
                queryset,
                action="reject",
                title=_("Reject these reviews?"),
                columns=[_("Listing"), _("Rating"), _("Comment")],
                rows=rows,
                reason_form=form,
                button=_("Reject"),
            )
        reason = form.cleaned_data["reason"]
        apply_to_each(
            request,
            queryset,
            lambda review: services.review_reject(review=review, actor=request.user, reason=reason),
            done=("{count} review rejected.", "{count} reviews rejected."),
        )

    # --- the same decisions on a review's own page -------------------------------------------

    def _pending_review(self, request, object_id):
        cache = request.__dict__.setdefault("_detail_reviews", {})
        if object_id not in cache:
            cache[object_id] = self.get_object(request, unquote(str(object_id)))
        return cache[object_id]

    def has_decide_permission(self, request, object_id=None):
        """Publish and Reject on a pending review's page, for those who moderate."""
        if object_id is None or not self.has_moderate_permission(request):
            return False
        return self._pending_review(request, object_id).status == Review.Status.PENDING

    def _run_on_one(self, request, object_id, name: str):
        # Unfold routes a detail action straight to its method: check what the button checked.
        if not self.has_decide_permission(request, object_id):
            raise PermissionDenied
        review = self._pending_review(request, object_id)
        back = reverse("admin:reviews_review_change", args=[review.pk])
        queryset = self.get_queryset(request).filter(pk=review.pk)
        if name == "publish" and not confirmed(request):
            response = confirmation_page(
                self,
                request,
                queryset,
                action="publish",
                title=_("Publish this review?"),
                columns=[_("Listing"), _("Rating"), _("Comment")],
                rows=[[review.listing, review.rating, review.comment[:120]]],
                button=_("Publish"),
            )
        else:
            response = getattr(self, name)(request, queryset)
        if response is None:
            return HttpResponseRedirect(back)
        response.context_data["back_url"] = back
        return response

    @action(
        description=_("Publish"), url_path="publish", icon="check_circle", permissions=["decide"]
    )
    def publish_one(self, request, object_id):
        return self._run_on_one(request, object_id, "publish")

    @action(
        description=_("Reject with a reason"),
        url_path="reject",
        icon="block",
        permissions=["decide"],
    )
    def reject_one(self, request, object_id):
        return self._run_on_one(request, object_id, "reject")
