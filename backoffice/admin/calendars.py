"""Calendar overrides and host blocks as their own lists (also inline on the listing)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import RangeDateFilter

from calendars.models import CalendarDay, HostBlock, Occupancy
from calendars.services import calendar_day_set, host_block_create, host_block_delete

from ..sites import site
from .base import BackofficeAdmin
from .filters import AutocompleteFilter


class HostBlockForm(forms.ModelForm):
    """A block as its form sees it: active, of kind block. The no-overlap exclusion constraint
    is conditioned on is_active, so that field must take part in validation (PostgreSQL then
    reports an overlap on the form; elsewhere calendars.services refuses it on save)."""

    class Meta:
        model = HostBlock
        fields = ("listing", "start", "end", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = Occupancy.Kind.BLOCK

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() - {"is_active", "kind"}


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ("listing", "date", "price", "is_blocked")

    def clean(self):
        data = super().clean()
        if data.get("price") is None and not data.get("is_blocked"):
            # calendar_day_set would store nothing (an override of nothing is no override).
            raise forms.ValidationError(_("Set a price or close the night."), code="empty")
        return data


@admin.register(CalendarDay, site=site)
class CalendarDayAdmin(BackofficeAdmin):
    host_lookup = "listing__host"
    host_can_add = True
    host_can_change = True
    host_can_delete = True
    staff_only_list_filters = ("listing",)
    list_display = ("date", "listing", "price", "is_blocked")
    list_select_related = ("listing",)
    list_filter = (("date", RangeDateFilter), "is_blocked", ("listing", AutocompleteFilter))
    list_filter_submit = True
    search_fields = ("listing__title",)
    fields = ("listing", "date", "price", "is_blocked")
    form = CalendarDayForm
    actions = None

    def get_readonly_fields(self, request, obj=None):
        # Moving an override to another night or listing would leave the old one behind:
        # delete it and add a new one instead.
        fields = super().get_readonly_fields(request, obj)
        return fields if obj is None else (*fields, "listing", "date")

    def save_model(self, request, obj, form, change):
        entry = calendar_day_set(
            listing=obj.listing,
            day=obj.date,
            actor=request.user,
            price=obj.price,
            is_blocked=obj.is_blocked,
        )
        if entry is not None:
            vars(obj).update(vars(entry))

    def delete_model(self, request, obj):
        calendar_day_set(listing=obj.listing, day=obj.date, actor=request.user)


@admin.register(HostBlock, site=site)
class HostBlockAdmin(BackofficeAdmin):
    host_lookup = "listing__host"
    host_can_add = True
    host_can_delete = True
    staff_only_list_filters = ("listing",)
    list_display = ("listing", "start", "end", "nights_display", "note", "active")
    list_select_related = ("listing",)
    list_filter = (("start", RangeDateFilter), "is_active", ("listing", AutocompleteFilter))
    list_filter_submit = True
    search_fields = ("listing__title", "note")
    fields = ("listing", "start", "end", "note")
    form = HostBlockForm
    actions = None

    @admin.display(description=_("Nights"))
    def nights_display(self, obj):
        return obj.nights

    @admin.display(description=_("Active"), boolean=True, ordering="is_active")
    def active(self, obj):
        """Still closing its nights (a removed block stays listed, inactive)."""
        return obj.is_active

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return False  # blocks are removed and re-created, never moved
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        block = host_block_create(
            listing=obj.listing, start=obj.start, end=obj.end, note=obj.note, actor=request.user
        )
        vars(obj).update(vars(block))

    def delete_model(self, request, obj):
        host_block_delete(block=obj, actor=request.user)
