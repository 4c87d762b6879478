"""What every role sees in a real browser: no raw template comment on any page, no sideways
scrolling at 1440 px on the pages people work in, and the API docs and GraphiQL working with
every other host unreachable (nothing comes from a CDN)."""

from urllib.parse import urlparse

import pytest

from accounts import roles
from bookings.services import booking_mark_paid
from tests.factories import (
    HostFactory,
    ListingFactory,
    ReviewFactory,
    UserFactory,
    future,
    make_booking,
    make_completed_stay,
)

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 1440


def people_and_things():
    host = HostFactory(email="host@example.com", first_name="Hannah")
    loft = ListingFactory(host=host, title="Harbour loft", city="Porto", external_id="L1")
    guest = UserFactory(first_name="Gina", last_name="Guest")
    booking = make_booking(listing=loft, guest=guest, check_in=future(20), nights=3)
    booking_mark_paid(booking=booking, amount=booking.total)
    review = ReviewFactory(booking=make_completed_stay(listing=loft), cleanliness=4, accuracy=5)
    return {
        "people": {
            "staff": UserFactory(email="admin@example.com", is_staff=True, is_superuser=True),
            "host": host,
            "moderator": UserFactory(email="moderator@example.com", groups=[roles.MODERATORS]),
            "auditor": UserFactory(email="auditor@example.com", groups=[roles.AUDITORS]),
        },
        "loft": loft, "booking": booking, "review": review,
    }  # fmt: skip


def pages_for(role, things):
    loft, booking, review = things["loft"], things["booking"], things["review"]
    pages = {  # url: must it fit the window?
        "/admin/": False,
        "/admin/listings/listing/": True,
        f"/admin/listings/listing/{loft.pk}/change/": True,
        f"/admin/listings/listing/{loft.pk}/history/": False,
        "/admin/reviews/review/": False,
        f"/admin/reviews/review/{review.pk}/change/": True,
    }
    if role != "moderator":
        pages.update({
            "/admin/bookings/booking/": False,
            f"/admin/bookings/booking/{booking.pk}/change/": True,
            f"/admin/calendar/{loft.pk}/": True,
            "/admin/calendar/": True,
        })  # fmt: skip
    if role in ("staff", "host"):
        pages["/admin/listings/listing/import/"] = True
    return pages


@pytest.mark.parametrize("role", ["staff", "host", "moderator", "auditor"])
def test_no_template_comment_and_no_sideways_scroll(browser, live_server, role):
    things = people_and_things()
    context = browser.new_context(viewport={"width": WIDTH, "height": 900},
                                  base_url=live_server.url)  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto("/admin/login/")
        page.fill("#id_username", things["people"][role].email)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("#dashboard")
        problems = []
        for url, must_fit in pages_for(role, things).items():
            response = page.goto(url)
            assert response.status == 200, url
            text = page.inner_text("body")
            if "{#" in text or "#}" in text:
                problems.append(f"{url}: template comment on the page")
            width = page.evaluate("document.documentElement.scrollWidth")
            if must_fit and width > WIDTH:
                problems.append(f"{url}: {width} px wide")
        assert problems == []
    finally:
        context.close()


def test_swagger_ui_and_graphiql_work_with_other_hosts_blocked(browser, live_server, settings):
    settings.GRAPHIQL = True
    own = urlparse(live_server.url).netloc
    blocked = []

    def only_our_server(route):
        if urlparse(route.request.url).netloc == own:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context = browser.new_context(viewport={"width": WIDTH, "height": 900},
                                  base_url=live_server.url)  # fmt: skip
    context.route("**/*", only_our_server)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto("/api/v1/docs/")
        page.wait_for_selector(".opblock", timeout=60_000)
        assert page.locator(".opblock").count() > 10  # the operations are listed
        page.goto("/graphql/")
        page.wait_for_selector(".graphiql-container", timeout=60_000)
        page.wait_for_selector(".graphiql-query-editor", timeout=60_000)
        page.goto("/")
        page.wait_for_selector("#entry-points")
        assert blocked == []
    finally:
        context.close()
