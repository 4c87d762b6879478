"""Search throughput for `make bench`: guests searching a city for 2 guests and 3 nights, each
on one of 200 date windows (some questions repeat, as they do, so the search cache plays its
real part). Closed loop: each simulated user sends its next search as soon as one answers."""

import datetime as dt
import random

from locust import FastHttpUser, constant, task

CITIES = [
    "lisbon",
    "porto",
    "barcelona",
    "paris",
    "berlin",
    "amsterdam",
    "london",
    "new york",
    "cape town",
    "sydney",
]


class Guest(FastHttpUser):
    wait_time = constant(0)

    @task
    def search(self):
        check_in = dt.date.today() + dt.timedelta(days=30 + random.randrange(200))
        self.client.get(
            "/api/v1/listings/",
            params={
                "city": random.choice(CITIES),
                "guests": 2,
                "check_in": check_in.isoformat(),
                "check_out": (check_in + dt.timedelta(days=3)).isoformat(),
            },
            name="/api/v1/listings/?city&dates&guests",
        )
