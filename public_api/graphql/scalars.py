"""Scalars shared by every domain's types.

Money leaves the API as a decimal string with exactly two places ("120.00"), never a float.
Decimal input is checked here so that NaN, infinities and absurd magnitudes are a clear
validation error before a resolver ever sees them.
"""

from decimal import Decimal as _Decimal
from decimal import InvalidOperation

import graphene
from graphql import GraphQLError
from graphql.language import FloatValueNode, IntValueNode, StringValueNode

from common.money import money

# Larger than any price, coordinate or percentage the core stores (10 digits, 2 places).
MAX_DECIMAL_MAGNITUDE = _Decimal("1e12")


def _parse_decimal(value, type_name: str) -> _Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | _Decimal):
        raise GraphQLError(f'{type_name} must be a decimal string such as "120.50".')
    try:
        number = _Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise GraphQLError(f"{type_name} cannot represent {value!r}: not a number.") from exc
    if not number.is_finite() or abs(number) >= MAX_DECIMAL_MAGNITUDE:
        raise GraphQLError(f"{type_name} cannot represent {value!r}: out of range.")
    return number


class Decimal(graphene.Scalar):
    """A decimal number, sent and received as a string (e.g. "4.75")."""

    @staticmethod
    def serialize(value):
        return str(value)

    @classmethod
    def parse_literal(cls, node, _variables=None):
        if isinstance(node, StringValueNode | IntValueNode | FloatValueNode):
            return cls.parse_value(node.value)
        raise GraphQLError('Decimal must be a string such as "120.50".')

    @staticmethod
    def parse_value(value):
        return _parse_decimal(value, "Decimal")


class Money(Decimal):
    """An amount of money: a decimal string with two places (e.g. "120.00"). The currency is
    the `currency` field of the object that carries the amount."""

    @staticmethod
    def serialize(value):
        return str(money(value))

    @staticmethod
    def parse_value(value):
        return _parse_decimal(value, "Money")


def choice_field(enum, attname: str, **kwargs) -> graphene.Field:
    """A field showing a model's `choices` attribute through `enum` (whose names are the core's
    values). The model may hold a plain string or a TextChoices member; both become the value."""

    def resolve(root, info):
        value = getattr(root, attname)
        return getattr(value, "value", value)

    return graphene.Field(enum, resolver=resolve, **kwargs)
