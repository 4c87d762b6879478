"""A changelist's rows in unfold's own markup, cell for cell, with what the rows share worked
out once per page instead of once per row.

unfold's `items_for_result` rebuilds every column header for each row (a label lookup per
column, three sort URLs per sortable column and a checkbox rendered through a template), renders
each row's checkbox, each badge and each boolean icon through a template, and reverses and
re-resolves the change URL of every link cell. On the listings page that was about 2 ms a row,
most of the page at 50 rows (issue #13). Here:

- the headers, each cell's class and data-label, and the link's URL (with the preserved
  filters) are built once per page; a row puts its primary key into them;
- a cell drawn by a template from its value alone (a label badge, a boolean icon, the row's
  checkbox) is rendered once per distinct value on the page;
- a row is one string, so the results template loops over rows, not cells.

The markup is unfold's (backoffice/tests/test_listing_rows.py compares it with unfold's own rows,
so an unfold upgrade that changes them fails there). Pages this does not cover (list_editable,
a drag-ordering field, row sections or row actions) fall back to unfold's rendering.
"""

import datetime
import re
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_list import _coerce_field_name
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import lookup_field, quote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from unfold import admin as unfold_admin
from unfold.templatetags.unfold_list import CHECKBOX_CLASSES, LINK_CLASSES, ROW_CLASSES
from unfold.utils import (
    display_for_dropdown,
    display_for_field,
    display_for_header,
    display_for_label,
    display_for_value,
)

# Stands for a row's primary key in what is built once per page. Only keys that `quote` and
# `escape` leave unchanged (UUIDs, integers) are put in its place; others take unfold's path.
PK_MARK = "0pkmark0"
PLAIN_KEY = re.compile(r"[A-Za-z0-9-]+")

ROW_START = (
    '<tbody class="block relative lg:table-row-group{stripe}" x-data="{{rowOpen: false}}">'
    '<tr class="data-row block border border-base-200 mb-3 relative rounded-default '
    'lg:table-row lg:border-none lg:mb-0 lg:rounded-none dark:border-base-800">'
)
ROW_END = "</tr></tbody>"
STRIPES = ("", " bg-base-50 dark:bg-white/[.02]")  # unfold's {% cycle %} of the row classes


class NotDrawnHere(Exception):
    """This page's rows are left to unfold."""


def fast_rows_apply(cl: ChangeList, context: dict[str, Any]) -> bool:
    """Whether this page's rows can be drawn here: none of the unfold features whose per-row
    markup is not reproduced."""
    admin = cl.model_admin
    return not (
        getattr(cl, "formset", None)
        or getattr(admin, "ordering_field", None)
        or getattr(admin, "list_sections", None)
        or context.get("actions_row")
        or cl.is_popup
    )


class Column:
    """One column of the page: how a row's value is read and how its cell is drawn."""

    def __init__(self, rows: "ChangeListRows", index: int, name: Any, header_text: Any,
                 is_link: bool):  # fmt: skip
        self.rows = rows
        self.name = name
        cl = rows.cl
        self.empty = cl.model_admin.get_empty_value_display()
        field, self.attr = self._resolve(cl)
        # unfold draws auto-created fields like callables, and reads a relation's object
        self.field = None if field is None or field.auto_created else field
        self.empty = getattr(self.attr, "empty_value_display", self.empty)
        self.direct = self.field is not None and "__" not in str(name)  # else lookup_field
        self.is_checkbox = self.field is None and name == "action_checkbox"
        classes = (
            list(CHECKBOX_CLASSES)
            if self.is_checkbox
            else [f"field-{_coerce_field_name(name, index)}", *ROW_CLASSES]
        )
        if isinstance(self.field, models.DateField | models.TimeField | models.ForeignKey):
            classes.append("nowrap")
        self.classes = " ".join(classes)  # unfold writes them unescaped: they are its own
        label = gettext("Select record") if index == 0 and not is_link else header_text
        self.data_label = conditional_escape(label)
        self.drawn: dict[Any, str] = {}  # value -> cell content, for template-drawn cells
        self.checkbox_mark = self._checkbox_mark()
        self.call = self._callable(cl)

    def _callable(self, cl: ChangeList) -> Callable[[models.Model], Any] | None:
        """The function lookup_field would call for a row (a callable or a ModelAdmin method),
        found once: lookup_field first tries the name as a model field, an exception a cell."""
        if self.field is not None or isinstance(self.name, str) and "__" in self.name:
            return None
        if callable(self.name):
            return self.name
        if hasattr(cl.model_admin, self.name) and self.name != "__str__":
            return getattr(cl.model_admin, self.name)
        return None

    def _resolve(self, cl: ChangeList) -> tuple[Any, Any]:
        """The model field or the callable behind the column, as lookup_field finds them (they
        do not depend on the row)."""
        first = cl.result_list[0]
        try:
            field, attr, _value = lookup_field(self.name, first, cl.model_admin)
        except ObjectDoesNotExist as exc:  # a relation missing in the first row
            raise NotDrawnHere(self.name) from exc
        return field, attr

    def _checkbox_mark(self) -> str | None:
        """unfold's row checkbox, rendered once with a mark where the key goes."""
        if not self.is_checkbox:
            return None
        admin_class = type(self.rows.cl.model_admin)
        if admin_class.action_checkbox is not unfold_admin.ModelAdmin.action_checkbox:
            return None  # overridden: call it for each row
        return str(unfold_admin.checkbox.render(helpers.ACTION_CHECKBOX_NAME, PK_MARK))

    def value(self, result: models.Model) -> Any:
        if self.direct:
            return getattr(result, self.name)
        if self.checkbox_mark is not None and (key := self.rows.plain_key(result)):
            return mark_safe(self.checkbox_mark.replace(PK_MARK, key))
        if self.call is not None:
            return self.call(result)
        return lookup_field(self.name, result, self.rows.cl.model_admin)[2]

    def content(self, result: models.Model, value: Any) -> Any:
        """The cell's content, as unfold's items_for_result computes it."""
        if isinstance(self.field, models.ForeignKey):
            return self.empty if value is None else value
        if self.field is not None:
            if isinstance(self.field, models.BooleanField):
                return self._drawn_once(value, display_for_field, value, self.field, self.empty)
            return display_for_field(value, self.field, self.empty)
        label = getattr(self.attr, "label", False)
        if label:
            return self._drawn_once(value, display_for_label, value, self.empty, label)
        if getattr(self.attr, "dropdown", False):
            return display_for_dropdown(result, self.name, value, self.empty)
        if getattr(self.attr, "header", False):
            return display_for_header(value, self.empty)
        boolean = getattr(self.attr, "boolean", False)
        if boolean:
            return self._drawn_once(value, display_for_value, value, self.empty, True)
        return display_for_value(value, self.empty, False)

    def _drawn_once(self, value: Any, draw: Callable[..., Any], *args: Any) -> Any:
        try:
            return self.drawn[value]
        except KeyError:
            content = self.drawn[value] = draw(*args)
            return content
        except TypeError:  # unhashable
            return draw(*args)

    def cell(self, result: models.Model, tag: str, link: str | None) -> str:
        try:
            value = self.value(result)
        except ObjectDoesNotExist:
            value, content = None, self.empty
        else:
            content = self.content(result, value)
        classes = self.classes
        if self.field is None and isinstance(value, datetime.date | datetime.time):
            classes += " nowrap"
        inner = conditional_escape(content)
        if link is not None:
            inner = f'<a href="{link}" class="{" ".join(LINK_CLASSES)}" >{inner}</a>'
        return f'<{tag} class="{classes}" data-label="{self.data_label}">{inner}</{tag}>'


class ChangeListRows:
    """The rows of one changelist page, as HTML strings."""

    def __init__(self, cl: ChangeList, headers: list[dict[str, Any]]):
        """`headers`: unfold's result_headers(cl), which the page draws too."""
        self.cl = cl
        self.link_columns = self._link_columns()
        self.columns = [
            Column(self, i, name, headers[i]["text"], i in self.link_columns)
            for i, name in enumerate(cl.list_display)
        ]
        self.url_mark = self._change_url_mark()

    def _link_columns(self) -> set[int]:
        """unfold's rule: the list_display_links, or the first column when there are none."""
        links = self.cl.list_display_links
        if links is None:
            return set()
        if not links:
            return {0}
        return {i for i, name in enumerate(self.cl.list_display) if name in links}

    def _change_url_mark(self) -> str | None:
        """The change page's URL with the preserved filters, the key left as a mark."""
        cl = self.cl
        try:
            url = cl.url_for_result(SimpleNamespace(**{cl.pk_attname: PK_MARK}))
        except NoReverseMatch:
            return None
        return escape(
            add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)
        )

    def plain_key(self, result: models.Model) -> str | None:
        key = str(getattr(result, self.cl.pk_attname))
        return key if PLAIN_KEY.fullmatch(key) and quote(key) == key else None

    def link(self, result: models.Model) -> str | None:
        if self.url_mark is not None and (key := self.plain_key(result)):
            return self.url_mark.replace(PK_MARK, key)
        try:
            url = self.cl.url_for_result(result)
        except NoReverseMatch:
            return None
        opts = {"preserved_filters": self.cl.preserved_filters, "opts": self.cl.opts}
        return escape(add_preserved_filters(opts, url))

    def row(self, index: int, result: models.Model) -> SafeString:
        cells = []
        link = self.link(result) if self.link_columns else None
        first_link = True
        for i, column in enumerate(self.columns):
            if i in self.link_columns:
                tag = "th" if first_link else "td"
                first_link = False
                cells.append(column.cell(result, tag, link))
            else:
                cells.append(column.cell(result, "td", None))
        stripe = STRIPES[index % 2]
        return mark_safe(ROW_START.format(stripe=stripe) + "".join(cells) + ROW_END)

    def __iter__(self) -> Iterator[SafeString]:
        for index, result in enumerate(self.cl.result_list):
            yield self.row(index, result)
