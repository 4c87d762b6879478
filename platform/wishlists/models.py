"""Named lists of listings a user saved ("Summer 2027", "Ski trips"). Private to their owner."""

from django.conf import settings
from django.db import models

from common.history import audited
from common.models import BaseModel
from listings.models import Listing

NAME_MAX_LENGTH = 100


class Wishlist(BaseModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wishlists"
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    listings = models.ManyToManyField(Listing, through="WishlistItem", related_name="+", blank=True)

    history = audited()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="wishlist_name_unique_per_user")
        ]

    def __str__(self):
        return self.name


class WishlistItem(BaseModel):
    wishlist = models.ForeignKey(Wishlist, on_delete=models.CASCADE, related_name="items")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="wishlist_items")

    history = audited()

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["wishlist", "listing"], name="wishlist_item_unique")
        ]
        # "Is this listing saved by this user?" for a page of search results.
        indexes = [models.Index(fields=["listing", "wishlist"], name="wishlist_item_listing")]

    def __str__(self):
        return f"{self.wishlist} · {self.listing_id}"
