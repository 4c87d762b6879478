"""Serializer pieces shared across domains."""

from rest_framework import serializers

from accounts.models import User


class PublicPerson(serializers.ModelSerializer):
    """Another user as the API shows them: an id and a first name, never contact details."""

    class Meta:
        model = User
        fields = ["id", "first_name"]
        read_only_fields = fields


class FirstNameOnly(serializers.ModelSerializer):
    """A review's author: first name only."""

    class Meta:
        model = User
        fields = ["first_name"]
        read_only_fields = fields


def money_field(**kwargs) -> serializers.DecimalField:
    """A read-only amount as a decimal string with two places ("120.00")."""
    return serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, **kwargs)
