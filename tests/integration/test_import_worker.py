"""The listing import hands a big file to the Celery worker: a real web server (gunicorn) and
a real worker on the `imports` queue, with the row threshold lowered so the file stays small.
PostgreSQL only: the processes must see the test database."""

import re

import pytest
import requests

from listings.models import Listing, ListingImportJob
from tests.factories import PASSWORD, AmenityFactory, HostFactory

from .conftest import start_worker, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(600)]

ROWS = 30


@pytest.fixture
def web_env(process_env):
    return {**process_env, "LISTING_IMPORT_ASYNC_ROWS": "10"}


def admin_session(url: str, email: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{url}/admin/login/", timeout=60)
    response = session.post(
        f"{url}/admin/login/?next=/admin/",
        data={"username": email, "password": PASSWORD,
              "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
        headers={"Referer": f"{url}/admin/login/"}, timeout=60, allow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 302, response.text[:500]
    return session


def test_a_big_file_is_imported_by_the_worker_not_the_request(processes, web_env):
    from .conftest import BIN, Web, free_port

    AmenityFactory(slug="wifi")
    host = HostFactory(email="bulk.host@example.test")
    port = free_port()
    web = Web(processes("web", [
        str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
        "--timeout", "120",
    ], web_env), port)  # fmt: skip
    wait_for(lambda: _answers(web), "the web server", processes=(web.process,))
    session = admin_session(web.url, host.email)
    form = session.get(f"{web.url}/admin/listings/listing/import/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    lines = [f"BULK-{n},Flat {n},Porto,PT,80,wifi" for n in range(ROWS)]
    data = "external_id,title,city,country,nightly_price,amenities\n" + "\n".join(lines) + "\n"

    # No worker yet: the request must answer without importing anything itself.
    response = session.post(
        f"{web.url}/admin/listings/listing/import/",
        data={"csrfmiddlewaretoken": token, "format": "0", "resource": "0"},
        files={"import_file": ("bulk.csv", data.encode(), "text/csv")},
        headers={"Referer": f"{web.url}/admin/listings/listing/import/"},
        timeout=60, allow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 302, response.text[:500]
    job = ListingImportJob.objects.get()
    assert response.headers["Location"] == f"/admin/listings/listingimportjob/{job.pk}/change/"
    assert job.status == ListingImportJob.Status.PENDING and not Listing.objects.exists()

    worker = start_worker(processes, web_env)
    wait_for(lambda: _status(job) == "imported", "the worker to import the file",
             processes=(worker, web.process))  # fmt: skip
    job.refresh_from_db()
    assert (job.new_count, job.processed_rows, job.total_rows) == (ROWS, ROWS, ROWS)
    assert Listing.objects.filter(host=host).count() == ROWS
    assert "listings.run_import_job" in worker.log()
    page = session.get(f"{web.url}{response.headers['Location']}", timeout=60).text
    assert f"{ROWS} / {ROWS} rows" in page
    session.close()
    web.session.close()


def _answers(web) -> bool:
    try:
        return web.get("/healthz").status_code == 200
    except requests.RequestException:
        return False


def _status(job) -> str:
    job.refresh_from_db(fields=["status"])
    return job.status
