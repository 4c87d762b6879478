"""Serializer pieces shared across domains."""

import copy

from django.db import models
from rest_framework import serializers

from accounts.models import User


class FieldsBuiltOnce:
    """For output ModelSerializers made per object (a listing's detail and what it nests):
    DRF introspects the model for every instance, two thirds of serializing one listing. The
    fields depend on the class alone (its Meta and declared fields), so they are built once
    per class and copied per instance.

    A plain field is copied shallowly: binding it to its serializer only assigns attributes
    (name, parent, label, source), so the copy never changes the prototype, while DRF's deep
    copy re-runs every field's __init__. Nested serializers and relation lists hold bound
    children: those are deep copies, as DRF makes them."""

    def get_fields(self):
        cls = type(self)
        prototype = cls.__dict__.get("_fields_prototype")
        if prototype is None:
            prototype = super().get_fields()
            cls._fields_prototype = prototype
        return {
            name: copy.deepcopy(field) if isinstance(field, _HOLDS_CHILDREN) else _shallow(field)
            for name, field in prototype.items()
        }


# Fields that bind a child field or serializer of their own when created.
_HOLDS_CHILDREN = (serializers.BaseSerializer, serializers.ManyRelatedField, serializers.ListField)


def _shallow(field: serializers.Field) -> serializers.Field:
    """`copy.copy(field)` without the pickling protocol (a third of the cost of copying)."""
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    return clone


class PublicPerson(FieldsBuiltOnce, serializers.ModelSerializer):
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


class StrictCharField(serializers.CharField):
    """Text only: DRF's CharField turns 0 into "0" and 1.5 into "1.5", which the schema
    (type: string) forbids and GraphQL's String refuses."""

    default_error_messages = {"invalid": "Not a valid string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose text fields take text only (see StrictCharField)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }


class NewPasswordField(StrictCharField):
    """A password being chosen. Django's validators decide in the core (and answer 400 with
    their messages); the OpenAPI schema states their minimum length (see openapi.py)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 128)
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
