"""Listings, their photos, calendar overrides and host blocks; amenities (staff)."""

import uuid
from functools import lru_cache, partial

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.shortcuts import redirect
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import action, display
from unfold.forms import PaginationInlineFormSet
from unfold.widgets import UnfoldAdminCheckboxSelectMultipleWidget

from calendars.models import CalendarDay, HostBlock
from calendars.services import calendar_day_set, host_block_create, host_block_delete
from common.errors import DomainError
from listings import services
from listings.models import Amenity, Listing, ListingPhoto
from reviews.models import Review

from ..errors import apply_to_each
from ..resources.admin import ListingImportAdminMixin
from ..resources.listings import ListingResource
from ..roles import Role, request_role
from ..sites import site
from .base import BackofficeAdmin
from .calendars import HostBlockForm
from .filters import AutocompleteFilter, StrictRangeNumericFilter, listing_values_filter
from .history import history_tab_for
from .messages_tab import messages_tab_for

PHOTO_STORAGE = ListingPhoto._meta.get_field("image").storage
KEY_MARK = str(uuid.UUID(int=0))  # a key no listing has, replaced by the listing's own


def calendar_url(listing_pk) -> str:
    """reverse("admin:calendar_listing", args=[listing_pk]), with the pattern reversed once per
    script prefix and URLconf: a reverse for each row of the changelist was a third of what
    the row cost."""
    pattern = _calendar_url_pattern(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return pattern.replace(KEY_MARK, str(listing_pk))


@lru_cache(maxsize=16)
def _calendar_url_pattern(script_prefix: str, urlconf: str) -> str:
    # reverse() reads the script prefix itself; it is in the arguments as the cache's key
    return reverse("admin:calendar_listing", args=[KEY_MARK], urlconf=urlconf)


@admin.register(Amenity, site=site)
class AmenityAdmin(BackofficeAdmin):
    list_display = ("name", "slug", "icon")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    moderator_can_view = True
    # The amenity catalogue is public (hosts pick from it); only staff change it.
    readable_by_everyone = True

    def has_view_permission(self, request, obj=None):
        return request_role(request) != Role.NONE

    def has_module_permission(self, request):
        return request_role(request) in (Role.STAFF, Role.AUDITOR)


class ListingForm(forms.ModelForm):
    """The model form, plus the core's own validation so a refusal shows on the field."""

    class Meta:
        model = Listing
        fields = (*services.EDITABLE_FIELDS, "host", "amenities")
        widgets = {"amenities": UnfoldAdminCheckboxSelectMultipleWidget}

    def _post_clean(self):
        current_host = self.instance.host_id if self.instance.pk else None
        super()._post_clean()
        try:
            if not self.errors:
                services.validate_listing(self.instance)
        except DomainError as exc:
            field = exc.field if exc.field in self.fields else None
            self.add_error(field, exc.message)
        finally:
            if current_host is not None:
                # On change the host moves only through listings.services.listing_transfer
                # (ListingAdmin.save_model), which makes the new owner a host and records it.
                self.instance.host_id = current_host


class PhotoInline(TabularInline):
    model = ListingPhoto
    extra = 0
    fields = ("thumbnail", "image", "caption", "position")
    readonly_fields = ("thumbnail",)
    tab = True

    @display(description=_("Preview"))
    def thumbnail(self, obj):
        if obj.pk and obj.image:
            return format_html('<img src="{}" class="h-12 rounded" alt="">', obj.image.url)
        return "—"


class _TrialRun(Exception):
    """Raised to roll a trial run of the services back."""


class ServiceCheckedFormSet(PaginationInlineFormSet):
    """An inline whose rows are written by core services, checked by those same services
    before anything is saved: `clean` runs `apply` in a savepoint and rolls it back. A refusal
    (a block over a booking: dates_unavailable) becomes an error on the row, and the page comes
    back with the person's edits instead of a redirect that would lose them.

    Subclasses list the service calls in `operations`; `ListingAdmin.save_formset` runs
    `apply` for real."""

    actor = None  # the request user, bound by the inline's get_formset
    field_aliases: dict[str, str] = {}  # a service's field name -> this form's field

    def operations(self):
        """(form, zero-argument call of a service) for every row to write."""
        raise NotImplementedError

    def apply(self) -> None:
        for form, operation in self.operations():
            try:
                operation()
            except DomainError as exc:
                exc.form = form
                raise

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance._state.adding or self.actor is None:
            return  # a new listing has no calendar to collide with; save still checks
        try:
            with transaction.atomic():
                self.apply()
                raise _TrialRun
        except _TrialRun:
            pass
        except DomainError as exc:
            form = getattr(exc, "form", None)
            if form is None:
                raise forms.ValidationError(exc.message, code=exc.code) from exc
            field = self.field_aliases.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, exc.message)


class CalendarDayFormSet(ServiceCheckedFormSet):
    field_aliases = {"check_in": "date"}

    def operations(self):
        for form in self.forms:
            deleted = form in self.deleted_forms
            if not (form.has_changed() or deleted) or not form.cleaned_data.get("date"):
                continue
            data = form.cleaned_data
            yield form, partial(
                calendar_day_set, listing=self.instance, day=data["date"], actor=self.actor,
                price=None if deleted else data.get("price"),
                is_blocked=False if deleted else bool(data.get("is_blocked")),
            )  # fmt: skip


class HostBlockFormSet(ServiceCheckedFormSet):
    field_aliases = {"check_in": "start", "check_out": "end"}

    def operations(self):
        # Removals first, so a block may be replaced by an overlapping one in one save.
        # (Ids are UUIDs set on instantiation: "new" means an extra form, not a missing pk.)
        for form in self.deleted_forms:
            if form in self.initial_forms:
                yield form, partial(self._remove, form.instance.pk)
        for form in self.extra_forms:
            if form in self.deleted_forms or not form.has_changed():
                continue
            data = form.cleaned_data
            yield form, partial(
                host_block_create, listing=self.instance, start=data["start"], end=data["end"],
                note=data.get("note", ""), actor=self.actor,
            )  # fmt: skip

    def _remove(self, pk):
        # A fresh row each time: delete() clears the pk of the instance it is given, and the
        # trial run must leave the form's instance usable for the real save.
        host_block_delete(block=HostBlock.objects.get(pk=pk), actor=self.actor)


class ServiceCheckedInline(TabularInline):
    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.actor = request.user  # a fresh class per call: safe to bind
        return formset


class CalendarDayInline(ServiceCheckedInline):
    """Per-night overrides; saved through calendars.services.calendar_day_set."""

    model = CalendarDay
    formset = CalendarDayFormSet
    extra = 1
    fields = ("date", "price", "is_blocked")
    tab = True
    verbose_name = _("calendar override")
    verbose_name_plural = _("calendar overrides")
    per_page = 30


class HostBlockInline(ServiceCheckedInline):
    """Closed date ranges; created and removed through calendars.services (overlaps refused)."""

    model = HostBlock
    form = HostBlockForm
    formset = HostBlockFormSet
    extra = 1
    fields = ("start", "end", "note")
    tab = True
    verbose_name = _("host block")
    verbose_name_plural = _("host blocks")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_active=True)

    def has_change_permission(self, request, obj=None):
        return False  # a block is removed and re-created, never moved in place


@admin.register(Listing, site=site)
class ListingAdmin(ListingImportAdminMixin, BackofficeAdmin):
    form = ListingForm
    host_lookup = "host"
    host_can_add = True
    host_can_change = True
    moderator_can_view = True
    staff_only_list_filters = ("host",)
    inlines = (PhotoInline, CalendarDayInline, HostBlockInline)
    # unfold's page with its rows drawn by backoffice.change_list_rows (issue #13); import-export
    # wraps it in its own, as it did unfold's.
    change_list_template = "admin/listings/listing/change_list.html"
    list_display = (
        "thumbnail", "title", "host_email", "city", "country", "nightly_price_display",
        "status_badge", "instant_book", "rating_average", "review_count", "calendar_link",
    )  # fmt: skip
    list_display_links = ("thumbnail", "title")
    list_filter = (
        "status",
        listing_values_filter("city", _("city")),
        listing_values_filter("country", _("country")),
        ("host", AutocompleteFilter),  # staff only: a thousand hosts are no dropdown
        ("nightly_price", StrictRangeNumericFilter),
        "instant_book",
    )
    list_filter_submit = True
    search_fields = ("title", "city", "external_id", "host__email")
    autocomplete_fields = ("host",)
    readonly_fields = ("status", "rating_average", "review_count", "created_at", "updated_at")
    actions = ("publish", "unpublish", "suspend")
    actions_detail = ("open_calendar",)
    resource_classes = [ListingResource]
    fieldsets = (
        (_("Details"), {"classes": ["tab"], "fields": (
            "title", "host", "external_id", "status", "property_type", "description",
            "address", ("city", "country"), ("latitude", "longitude"), "time_zone",
            ("max_guests", "bedrooms"), ("beds", "bathrooms"), "amenities",
        )}),
        (_("Pricing"), {"classes": ["tab"], "fields": (
            ("nightly_price", "weekend_price"), ("cleaning_fee", "currency"),
            ("min_nights", "max_nights"), ("weekly_discount", "monthly_discount"), "tax_rate",
            "cancellation_policy", "instant_book",
        )}),
        (_("Reviews"), {"classes": ["tab"], "fields": (
            ("rating_average", "review_count"), ("created_at", "updated_at"),
        )}),
    )  # fmt: skip

    def get_queryset(self, request):
        first_photo = ListingPhoto.objects.filter(listing=OuterRef("pk")).order_by(
            "position", "created_at"
        )
        return (
            super()
            .get_queryset(request)
            .select_related("host")
            .annotate(first_photo=Subquery(first_photo.values("image")[:1]))
        )

    def moderator_queryset(self, qs):
        """A moderator reads a listing only to judge its reviews."""
        return qs.filter(Exists(Review.objects.filter(listing=OuterRef("pk"))))

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if request_role(request) == Role.MODERATOR:
            # A decision needs no email; moderators have no calendar.
            return [c for c in columns if c not in ("host_email", "calendar_link")]
        return columns

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if request_role(request) == Role.MODERATOR:
            return [f for f in fields if "email" not in f]  # no probing for an address
        return fields

    def get_changeform_datasets(self, request):
        """The History and Guest messages tabs, on existing listings only (the add page has
        neither)."""
        match = request.resolver_match
        if match is None or not match.kwargs.get("object_id"):
            return ()
        if request_role(request) == Role.MODERATOR:
            return (history_tab_for(self),)
        return (history_tab_for(self), messages_tab_for(self))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if request_role(request) != Role.STAFF:
            fields.append("host")  # a host's listings are theirs; only staff reassign
        return fields

    def get_fieldsets(self, request, obj=None):
        role = request_role(request)
        if role == Role.MODERATOR or (role != Role.STAFF and obj is None):
            # Hosts create listings for themselves: no host picker at all. Moderators do not
            # read the host's account (its name is the email).
            return [
                (name, {**opts, "fields": [f for f in opts["fields"] if f != "host"]})
                for name, opts in self.fieldsets
            ]
        return self.fieldsets

    # --- columns ---------------------------------------------------------------------------

    @display(description=_("Photo"))
    def thumbnail(self, obj):
        if getattr(obj, "first_photo", None):
            # The image field's storage names the URL (a ListingPhoto built per row cost more).
            url = PHOTO_STORAGE.url(obj.first_photo)
            return format_html('<img src="{}" class="h-10 w-14 object-cover rounded" alt="">', url)
        return mark_safe('<span class="material-symbols-outlined text-base-400">image</span>')

    @display(description=_("Host"), ordering="host__email")
    def host_email(self, obj):
        return obj.host.email

    @display(description=_("Nightly price"), ordering="nightly_price")
    def nightly_price_display(self, obj):
        return f"{obj.nightly_price} {obj.currency}"

    @display(description=_("Calendar"))
    def calendar_link(self, obj):
        return format_html(
            '<a href="{}" class="calendar-link" title="{}">'
            '<span class="material-symbols-outlined">calendar_month</span></a>',
            calendar_url(obj.pk), gettext("Open the calendar"),
        )  # fmt: skip

    @display(
        description=_("Status"),
        ordering="status",
        label={"published": "success", "draft": "info", "suspended": "danger"},
    )
    def status_badge(self, obj):
        return obj.status, obj.get_status_display()

    # --- saving goes through the services --------------------------------------------------

    def _service_fields(self, form) -> dict:
        return {
            name: form.cleaned_data[name]
            for name in services.EDITABLE_FIELDS
            if name in form.cleaned_data
        }

    def save_model(self, request, obj, form, change):
        slugs = [a.slug for a in form.cleaned_data.get("amenities", [])]
        fields = self._service_fields(form)
        if change:
            services.listing_update(listing=obj, actor=request.user, amenities=slugs, **fields)
            if request_role(request) == Role.STAFF and "host" in form.changed_data:
                services.listing_transfer(
                    listing=obj, new_host=form.cleaned_data["host"], actor=request.user
                )
            return
        # Who may list for someone else is the core's rule (listing_create refuses others).
        created = services.listing_create(
            actor=request.user, host=form.cleaned_data.get("host"), amenities=slugs, **fields
        )
        # The admin keeps using `obj` (inlines, redirect): make it the created row.
        vars(obj).update(vars(created))

    def save_related(self, request, form, formsets, change):
        # Amenities were set by the service; only the inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        # The admin's change message reads these; history (simple-history) is the real record.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if isinstance(formset, ServiceCheckedFormSet):
            formset.instance = form.instance  # on the add page: the listing just created
            return formset.apply()
        return super().save_formset(request, form, formset, change)

    def has_delete_permission(self, request, obj=None):
        return False  # listings with bookings must stay; unpublish instead

    # --- actions ---------------------------------------------------------------------------

    @action(description=_("Publish"), permissions=["change"], icon="visibility")
    def publish(self, request, queryset):
        apply_to_each(
            request, queryset,
            lambda listing: services.listing_publish(listing=listing, actor=request.user),
            done=("{count} listing published.", "{count} listings published."),
        )  # fmt: skip

    @action(description=_("Unpublish"), permissions=["change"], icon="visibility_off")
    def unpublish(self, request, queryset):
        apply_to_each(
            request, queryset,
            lambda listing: services.listing_unpublish(listing=listing, actor=request.user),
            done=("{count} listing unpublished.", "{count} listings unpublished."),
        )  # fmt: skip

    @action(description=_("Suspend"), permissions=["suspend"], icon="block")
    def suspend(self, request, queryset):
        apply_to_each(
            request, queryset,
            lambda listing: services.listing_suspend(listing=listing, actor=request.user),
            done=("{count} listing suspended.", "{count} listings suspended."),
        )  # fmt: skip

    @action(description=_("Calendar"), url_path="open-calendar", icon="calendar_month",
            permissions=["calendar"])  # fmt: skip
    def open_calendar(self, request, object_id):
        return redirect(reverse("admin:calendar_listing", args=[object_id]))

    def has_calendar_permission(self, request, obj=None):
        return request_role(request) in (Role.STAFF, Role.HOST, Role.AUDITOR)

    def has_suspend_permission(self, request, obj=None):
        return request_role(request) == Role.STAFF and self.has_change_permission(request, obj)
