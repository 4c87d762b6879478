"""Wishlist rules against the real database."""

import pytest

from common.errors import DomainError, NotFound, ValidationFailed
from listings.models import Listing
from tests.factories import ListingFactory, UserFactory
from wishlists.models import Wishlist
from wishlists.selectors import (
    saved_listing_ids,
    wishlist_list_for,
    wishlist_listings,
    with_saved_flag,
)
from wishlists.services import (
    wishlist_add,
    wishlist_create,
    wishlist_delete,
    wishlist_remove,
    wishlist_rename,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory()


def test_create_rename_delete(user):
    wishlist = wishlist_create(actor=user, name="  Summer  ")
    assert wishlist.name == "Summer"
    wishlist_rename(wishlist=wishlist, actor=user, name="Summer 2027")
    assert Wishlist.objects.get().name == "Summer 2027"
    wishlist_delete(wishlist=wishlist, actor=user)
    assert not Wishlist.objects.exists()


@pytest.mark.parametrize(
    ("name", "code"), [("", "name_required"), ("  ", "name_required"), ("x" * 101, "name_too_long")]
)
def test_bad_names(user, name, code):
    with pytest.raises(ValidationFailed) as refused:
        wishlist_create(actor=user, name=name)
    assert (refused.value.code, refused.value.field) == (code, "name")


def test_names_are_unique_per_user_only(user):
    first = wishlist_create(actor=user, name="Ski")
    wishlist_create(actor=UserFactory(), name="Ski")
    with pytest.raises(DomainError) as refused:
        wishlist_create(actor=user, name="Ski")
    assert refused.value.code == "wishlist_name_taken"
    other = wishlist_create(actor=user, name="Sea")
    with pytest.raises(DomainError):
        wishlist_rename(wishlist=other, actor=user, name="Ski")
    assert Wishlist.objects.get(pk=other.pk).name == "Sea"
    assert first.name == "Ski"


def test_add_remove_and_the_saved_flag(user):
    wishlist = wishlist_create(actor=user, name="Sea")
    saved, unsaved = ListingFactory(), ListingFactory()
    assert wishlist_add(wishlist=wishlist, listing=saved, actor=user) is True
    assert wishlist_add(wishlist=wishlist, listing=saved, actor=user) is False  # idempotent

    flags = dict(with_saved_flag(Listing.objects.all(), user).values_list("pk", "is_saved"))
    assert flags == {saved.pk: True, unsaved.pk: False}
    assert saved_listing_ids(UserFactory(), [saved.pk]) == set()
    assert [listing.pk for listing in wishlist_listings(wishlist)] == [saved.pk]
    assert wishlist_list_for(user).get().listing_count == 1

    assert wishlist_remove(wishlist=wishlist, listing_id=saved.pk, actor=user) is True
    assert wishlist_remove(wishlist=wishlist, listing_id=saved.pk, actor=user) is False
    assert saved_listing_ids(user, [saved.pk]) == set()


def test_an_unpublished_listing_leaves_the_list_until_published_again(user):
    wishlist = wishlist_create(actor=user, name="Sea")
    listing = ListingFactory()
    wishlist_add(wishlist=wishlist, listing=listing, actor=user)
    Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.SUSPENDED)
    assert list(wishlist_listings(wishlist)) == []
    assert wishlist_list_for(user).get().listing_count == 0
    Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.PUBLISHED)
    assert [x.pk for x in wishlist_listings(wishlist)] == [listing.pk]


def test_others_wishlists_and_drafts_do_not_exist(user):
    wishlist = wishlist_create(actor=user, name="Mine")
    stranger = UserFactory()
    for write in (
        lambda: wishlist_rename(wishlist=wishlist, actor=stranger, name="Theirs"),
        lambda: wishlist_delete(wishlist=wishlist, actor=stranger),
        lambda: wishlist_add(wishlist=wishlist, listing=ListingFactory(), actor=stranger),
        lambda: wishlist_remove(wishlist=wishlist, listing_id=wishlist.pk, actor=stranger),
    ):
        with pytest.raises(NotFound):
            write()
    draft = ListingFactory(status=Listing.Status.DRAFT)
    with pytest.raises(NotFound):
        wishlist_add(wishlist=wishlist, listing=draft, actor=user)
    assert Wishlist.objects.get().name == "Mine"
    assert not wishlist.items.exists()
