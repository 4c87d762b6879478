from celery import shared_task

from . import services


@shared_task(name="reviews.refresh_ratings", soft_time_limit=600, time_limit=660)
def refresh_ratings() -> int:
    return services.listing_ratings_refresh_all()
