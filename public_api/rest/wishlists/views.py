"""Wishlists: named lists of saved listings, private to their owner (others get a 404)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from listings.selectors import listing_visible_to
from public_api.rest.listings.serializers import ListingItem
from public_api.rest.lookups import get_visible, parse_uuid
from public_api.rest.openapi import with_errors
from public_api.rest.pagination import PageNumberPagination
from public_api.rest.query import PAGINATION_PARAMS, NoQuery, parse_query
from wishlists.selectors import wishlist_list_for, wishlist_listings, wishlist_visible_to
from wishlists.services import (
    wishlist_add,
    wishlist_create,
    wishlist_delete,
    wishlist_remove,
    wishlist_rename,
)

from . import serializers as s

WISHLIST_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)
LISTING_ID = OpenApiParameter("listing_id", OpenApiTypes.UUID, OpenApiParameter.PATH)


def visible_wishlist(request, pk):
    return get_visible(wishlist_visible_to(request.user), pk)


def _out(request, wishlist) -> dict:
    return s.WishlistOut(wishlist_list_for(request.user).get(pk=wishlist.pk)).data


class WishlistListView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = PageNumberPagination

    @extend_schema(
        operation_id="wishlists_list",
        responses=with_errors({200: s.WishlistOut(many=True)}, 400, 401, 404),
    )
    def get(self, request):
        parse_query(NoQuery, request, extra=PAGINATION_PARAMS)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(wishlist_list_for(request.user), request, view=self)
        return paginator.get_paginated_response(s.WishlistOut(page, many=True).data)

    @extend_schema(
        operation_id="wishlists_create",
        request=s.WishlistInput,
        responses=with_errors({201: s.WishlistOut}, 400, 401, 409),
    )
    def post(self, request):
        data = s.WishlistInput(data=request.data)
        data.is_valid(raise_exception=True)
        wishlist = wishlist_create(actor=request.user, name=data.validated_data["name"])
        return Response(_out(request, wishlist), status=status.HTTP_201_CREATED)


class WishlistDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="wishlists_retrieve",
        parameters=[WISHLIST_ID],
        responses=with_errors({200: s.WishlistOut}, 400, 401, 404),
    )
    def get(self, request, id):
        wishlist = visible_wishlist(request, id)
        parse_query(NoQuery, request)
        return Response(s.WishlistOut(wishlist).data)

    @extend_schema(
        operation_id="wishlists_rename",
        parameters=[WISHLIST_ID],
        request=s.WishlistInput,
        responses=with_errors({200: s.WishlistOut}, 400, 401, 404, 409),
    )
    def patch(self, request, id):
        wishlist = visible_wishlist(request, id)
        data = s.WishlistInput(data=request.data)
        data.is_valid(raise_exception=True)
        wishlist_rename(wishlist=wishlist, actor=request.user, name=data.validated_data["name"])
        return Response(_out(request, wishlist))

    @extend_schema(
        operation_id="wishlists_destroy",
        parameters=[WISHLIST_ID],
        request=None,
        responses=with_errors({204: OpenApiResponse(description="Deleted.")}, 400, 401, 404),
    )
    def delete(self, request, id):
        wishlist_delete(wishlist=visible_wishlist(request, id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WishlistListingsView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = PageNumberPagination

    @extend_schema(
        operation_id="wishlists_listings",
        parameters=[WISHLIST_ID],
        responses=with_errors({200: ListingItem(many=True)}, 400, 401, 404),
        description="The saved listings as search-result cards, most recently saved first.",
    )
    def get(self, request, id):
        wishlist = visible_wishlist(request, id)
        parse_query(NoQuery, request, extra=PAGINATION_PARAMS)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(wishlist_listings(wishlist), request, view=self)
        data = ListingItem(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="wishlists_listings_add",
        parameters=[WISHLIST_ID],
        request=s.WishlistItemInput,
        responses=with_errors({201: s.WishlistItemOut, 200: s.WishlistItemOut}, 400, 401, 404),
        description="Save a listing; 201 when added, 200 when it was already saved.",
    )
    def post(self, request, id):
        wishlist = visible_wishlist(request, id)
        data = s.WishlistItemInput(data=request.data)
        data.is_valid(raise_exception=True)
        listing = listing_visible_to(request.user).filter(pk=data.validated_data["listing"]).first()
        if listing is None:
            raise ValidationError({"listing": ["No such listing."], "code": "listing_not_found"})
        added = wishlist_add(wishlist=wishlist, listing=listing, actor=request.user)
        return Response(
            {"added": added}, status=status.HTTP_201_CREATED if added else status.HTTP_200_OK
        )


class WishlistListingView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="wishlists_listings_remove",
        parameters=[WISHLIST_ID, LISTING_ID],
        request=None,
        responses=with_errors(
            {204: OpenApiResponse(description="Not in the list (any more).")}, 400, 401, 404
        ),
        description="Unsave a listing; removing one that is not there is not an error.",
    )
    def delete(self, request, id, listing_id):
        wishlist = visible_wishlist(request, id)
        listing_id = parse_uuid(listing_id, "listing_id")
        wishlist_remove(wishlist=wishlist, listing_id=listing_id, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
