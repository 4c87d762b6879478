"""parse_query reads a plain query string without creating its serializer: same values, and
anything else goes through the serializer, so the answers (values and 400 bodies) are the
serializer's whatever the input."""

from types import SimpleNamespace
from unittest import mock

import pytest
from django.http import QueryDict
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from public_api.rest import query
from public_api.rest.listings.serializers import DateRangeQuery, QuoteQuery
from public_api.rest.query import PAGINATION_PARAMS, NoQuery, parse_query

QUOTE_QUERIES = [
    "check_in=2030-01-01&check_out=2030-01-04&guests=2",
    "guests=1000&check_out=2030-01-04&check_in=2030-01-01",
    "check_in=2030-01-01&check_out=2030-01-04&guests=0",
    "check_in=2030-01-01&check_out=2030-01-04&guests=002",
    "check_in=2030-01-01&check_out=2030-01-04&guests=2.0",
    "check_in=2030-01-01&check_out=2030-01-04&guests=+2",
    "check_in=2030-01-01&check_out=2030-01-04&guests=%202%20",
    "check_in=2030-01-01&check_out=2030-01-04&guests=2_0",
    "check_in=2030-01-01&check_out=2030-01-04&guests=%D9%A2",  # an Arabic-Indic two
    "check_in=2030-01-01&check_out=2030-01-04&guests=-1",
    "check_in=2030-01-01&check_out=2030-01-04&guests=1001",
    "check_in=2030-01-01&check_out=2030-01-04&guests=99999999999",
    "check_in=2030-01-01&check_out=2030-01-04&guests=two",
    "check_in=2030-01-01&check_out=2030-01-04&guests=",
    "check_in=20300101&check_out=2030-01-04&guests=2",
    "check_in=2030-W01-1&check_out=2030-01-04&guests=2",
    "check_in=2030-02-30&check_out=2030-01-04&guests=2",
    "check_in=2030-1-1&check_out=2030-01-04&guests=2",
    "check_in=2030-01-01T00:00&check_out=2030-01-04&guests=2",
    "check_in=%D9%A2030-01-01&check_out=2030-01-04&guests=2",
    "check_in=0000-01-01&check_out=2030-01-04&guests=2",
    "check_in=&check_out=&guests=",
    "check_in=2030-01-01&check_out=2030-01-04",
    "",
    "check_in=2030-01-01&check_out=2030-01-04&guests=2&x=1",
    "check_in=2030-01-01&check_out=2030-01-04&guests=2&page=2",
    "check_in=2030-01-01&check_in=2030-01-01&check_out=2030-01-04&guests=2",
    "check_in=2030-01-01&check_out=2030-01-04&guests=2&guests=2",
]
OTHER_QUERIES = [
    (DateRangeQuery, (), "start=2030-01-01&end=2030-01-05"),
    (DateRangeQuery, (), "start=2030-01-01&end=soon"),
    (NoQuery, PAGINATION_PARAMS, ""),
    (NoQuery, PAGINATION_PARAMS, "page=2"),
    (NoQuery, PAGINATION_PARAMS, "page=2&x=1"),
    (NoQuery, (), "x=1"),
]
CASES = [(QuoteQuery, (), q) for q in QUOTE_QUERIES] + OTHER_QUERIES


def answer(serializer_class, extra, query_string):
    request = SimpleNamespace(query_params=QueryDict(query_string))
    try:
        return "ok", dict(parse_query(serializer_class, request, extra=extra))
    except ValidationError as error:
        return "400", error.detail


@pytest.mark.parametrize(("serializer_class", "extra", "query_string"), CASES)
def test_the_same_answer_as_the_serializer_s(serializer_class, extra, query_string):
    with mock.patch.dict(query._PLANS, {serializer_class: None}):  # the serializer alone
        expected = answer(serializer_class, extra, query_string)
    assert answer(serializer_class, extra, query_string) == expected
    if expected[0] == "ok":  # the same types too (a date, not a datetime; an int)
        got = answer(serializer_class, extra, query_string)[1]
        assert [type(v) for v in got.values()] == [type(v) for v in expected[1].values()]


def test_the_plain_case_creates_no_serializer():
    with mock.patch.object(QuoteQuery, "__init__", side_effect=AssertionError):
        assert answer(QuoteQuery, (), QUOTE_QUERIES[0])[0] == "ok"
    with (
        pytest.raises(AssertionError),
        mock.patch.object(QuoteQuery, "__init__", side_effect=AssertionError),
    ):
        answer(QuoteQuery, (), "check_in=2030-01-01&check_out=2030-01-04&guests=2.0")


class WithRule(serializers.Serializer):
    start = serializers.DateField()

    def validate_start(self, value):
        raise serializers.ValidationError("Never.")


class Optional(serializers.Serializer):
    count = serializers.IntegerField(required=False)


class Text(serializers.Serializer):
    name = serializers.CharField()


@pytest.mark.parametrize("serializer_class", [WithRule, Optional, Text])
def test_serializers_with_more_than_plain_fields_always_validate(serializer_class):
    """A rule of the serializer's own, an optional field or another kind of field: no plain
    case, the serializer decides."""
    assert query._make_plan(serializer_class) is None
    assert answer(WithRule, (), "start=2030-01-01") == ("400", {"start": ["Never."]})
