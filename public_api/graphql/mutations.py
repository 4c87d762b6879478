"""The base of every mutation: one input object, a payload with `errors`, refusals mapped once.

A subclass declares `Input` (its fields) and payload fields, and implements `perform(info,
**input)` returning the payload's fields as a dict. Any refusal of the core (`DomainError`,
or a Django `ValidationError` escaping a model) becomes `errors: [{field, code, message}]`
with every other payload field null.
"""

from __future__ import annotations

import graphene
from django.core.exceptions import ValidationError

from common.errors import DomainError, ValidationFailed

from .errors import Error, error_type, mutation_errors


def _has_nul(value) -> bool:
    """PostgreSQL text cannot hold NUL; refuse it as input instead of failing in the driver."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def reject_nul_characters(values: dict) -> None:
    for name, value in values.items():
        if _has_nul(value):
            raise ValidationFailed("invalid_text", "Text may not contain NUL characters.", name)


class DomainMutation(graphene.Mutation):
    class Meta:
        abstract = True

    errors = graphene.List(
        graphene.NonNull(Error), required=True, description="Empty when the mutation succeeded."
    )

    # The core's field names that differ from this mutation's input names.
    field_renames: dict[str, str] = {}

    @classmethod
    def __init_subclass_with_meta__(cls, name=None, **options):
        # public_api.graphql.<domain>.mutations: errors typed with the domain's code enum.
        domain = cls.__module__.split(".")[2]
        cls.errors = graphene.List(
            graphene.NonNull(error_type(domain)),
            required=True,
            description="Empty when the mutation succeeded.",
        )
        # createBooking returns a CreateBookingPayload (the usual GraphQL naming).
        super().__init_subclass_with_meta__(name=name or f"{cls.__name__}Payload", **options)

    @classmethod
    def mutate(cls, root, info, input):
        values = dict(input)
        try:
            reject_nul_characters(values)
            result = cls.perform(info, **values)
        except (DomainError, ValidationError) as exc:
            return cls(errors=mutation_errors(exc, cls.field_renames))
        return cls(errors=[], **result)

    @classmethod
    def perform(cls, info, **values) -> dict:
        raise NotImplementedError
