"""What people saw on screen and should not: raw template comments, database constraint names,
a 404 at /, CDN-loaded docs, staff-only wording, bare error pages, stuttering breadcrumbs."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.factories import ListingFactory, ReviewFactory, future, make_completed_stay

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", ROOT / "backoffice", ROOT / "public_api", ROOT / "platform"]


def test_no_template_comment_spans_two_lines():
    """Django's {# #} is single-line only: a two-line one is printed on the page as text."""
    offenders = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                for opening in re.finditer(r"\{#", line):
                    if "#}" not in line[opening.end() :]:
                        offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


@pytest.mark.django_db
def test_a_negative_override_price_is_a_plain_form_error(as_host, own_listing):
    from calendars.models import CalendarDay

    url = reverse("admin:calendars_calendarday_add")
    response = as_host.post(url, {"listing": own_listing.pk, "date": future(12).isoformat(),
                                  "price": "-5", "is_blocked": ""})  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200
    assert "A price must be more than zero." in body
    assert "Constraint" not in body and "calendar_day_price_positive" not in body
    assert not CalendarDay.objects.exists()


@pytest.mark.django_db
def test_min_nights_above_max_nights_is_a_plain_form_error(as_host, own_listing):
    from listings.models import Listing

    constraint = next(
        c for c in Listing._meta.constraints if c.name == "listing_min_nights_lte_max_nights"
    )
    listing = ListingFactory.build(host=own_listing.host, min_nights=9, max_nights=3)
    with pytest.raises(ValidationError) as refused:
        constraint.validate(Listing, listing)
    assert refused.value.messages == ["Minimum nights cannot be more than maximum nights."]


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img") and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def _assets(html: str) -> list[str]:
    parser = _Assets()
    parser.feed(html)
    return parser.urls


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/", "/graphql/", "/"])
def test_docs_and_graphiql_load_only_our_own_files(client, url, settings):
    settings.GRAPHIQL = True  # GraphiQL is a development tool, off by default
    response = client.get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assets = _assets(response.content.decode())
    assert assets, "the page loads its files"
    assert all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    if url == "/api/v1/docs/":
        # The start-up script is a file of its own (a strict CSP can forbid inline scripts).
        script = client.get(url + "?script")
        assert script.status_code == 200 and b"SwaggerUIBundle" in script.content


@pytest.mark.django_db
def test_graphiql_is_off_unless_the_setting_says_so(client, settings):
    settings.GRAPHIQL = False
    assert client.get("/graphql/", HTTP_ACCEPT="text/html").status_code == 400


@pytest.mark.django_db
def test_the_vendored_graphiql_files_are_served(client):
    for name in ("graphiql-2.4.7.min.js", "react-17.0.2.production.min.js",
                 "graphiql-2.4.7.min.css", "backoffice/graphiql-settings.js"):  # fmt: skip
        path = name if "/" in name else f"vendor/graphiql/{name}"
        assert (ROOT / "static" / path).stat().st_size > 100


@pytest.mark.django_db
def test_the_landing_page_links_every_way_in(client):
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    for url in ("/admin/", "/api/v1/", "/api/v1/docs/", "/graphql/"):
        assert f'href="{url}"' in body
    login = client.get(reverse("admin:login")).content.decode()
    assert 'href="/"' in login  # "Return to site" now lands somewhere


@pytest.mark.django_db
def test_a_wrong_password_does_not_speak_of_staff(host):
    response = Client().post(reverse("admin:login"), {"username": host.email, "password": "wrong"})
    body = response.content.decode()
    assert "Please enter the correct email address and password." in body
    assert "staff account" not in body


@pytest.mark.django_db
def test_the_403_page_explains_and_links_back(as_host):
    response = as_host.get(reverse("admin:accounts_user_changelist"))
    body = response.content.decode()
    assert response.status_code == 403
    assert "You may not open this page" in body
    assert 'href="/admin/"' in body and "site/site.css" in body


def _breadcrumbs(body: str) -> list[str]:
    header = body.split('id="header-inner"', 1)[-1] if 'id="header-inner"' in body else body
    return [t.strip() for t in re.findall(r'class="align-middle inline-block[^"]*">\s*([^<]+)<',
                                          header)]  # fmt: skip


@pytest.mark.django_db
def test_breadcrumbs_do_not_repeat_the_app_name(as_host, own_listing):
    body = as_host.get(reverse("admin:listings_listing_change", args=[own_listing.pk]))
    crumbs = _breadcrumbs(body.content.decode())
    assert crumbs[:2] == ["Listings", own_listing.title], crumbs


@pytest.mark.django_db
def test_an_empty_bookings_list_offers_nothing_to_create(as_host):
    body = as_host.get(reverse("admin:bookings_booking_changelist")).content.decode()
    assert "There are no bookings here yet." in body
    assert "Create a new item" not in body and "Add booking" not in body


@pytest.mark.django_db
def test_category_ratings_read_as_one_row(as_host, own_listing):
    review = ReviewFactory(booking=make_completed_stay(listing=own_listing), cleanliness=4)
    body = as_host.get(reverse("admin:reviews_review_change", args=[review.pk])).content.decode()
    assert '<ul class="category-ratings">' in body
    assert "Cleanliness</span> <strong>4/5</strong>" in body
