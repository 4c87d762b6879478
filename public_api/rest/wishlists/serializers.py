from rest_framework import serializers

from wishlists.models import NAME_MAX_LENGTH, Wishlist


class WishlistOut(serializers.ModelSerializer):
    listing_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Wishlist
        fields = ["id", "name", "listing_count", "created_at"]
        read_only_fields = fields


class WishlistInput(serializers.Serializer):
    name = serializers.CharField(max_length=NAME_MAX_LENGTH)


class WishlistItemInput(serializers.Serializer):
    listing = serializers.UUIDField()


class WishlistItemOut(serializers.Serializer):
    added = serializers.BooleanField(help_text="False when the listing was already in the list.")
