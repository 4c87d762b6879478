"""Every refusal code the code base raises is a member of its domain's error-code enum (or of
common.errors.CommonErrorCode), so the enums GraphQL and OpenAPI publish are complete.

The codes are found by reading the source: the literal code of every DomainError (and
subclass) raised in platform/<app>/ and public_api/<api>/<app>/."""

import ast
from pathlib import Path

import pytest

from common.errors import CommonErrorCode, ErrorCode
from public_api.error_codes import DOMAIN_ENUMS, codes_for

ROOT = Path(__file__).resolve().parent.parent
ERRORS = {"DomainError", "ValidationFailed", "_invalid"}  # code first
CODE_SECOND = {"NotPermitted", "NotFound", "ImportFileError"}  # message first, then code
DEFAULTS = {"NotPermitted": "permission_denied", "NotFound": "not_found"}


def _literal(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def codes_raised(path: Path) -> set[str]:
    codes = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = getattr(func, "id", None) or getattr(func, "attr", None)
        keyword = next((kw.value for kw in node.keywords if kw.arg == "code"), None)
        if name in ERRORS or (
            name == "__init__" and isinstance(func.value, ast.Call)  # super().__init__(code, ...)
        ):
            code = _literal(keyword) if keyword else (node.args and _literal(node.args[0]))
        elif name in CODE_SECOND:
            if keyword is not None:
                code = _literal(keyword)
            elif len(node.args) >= 2:
                code = _literal(node.args[1])
            else:
                code = DEFAULTS.get(name)
        else:
            continue
        if code and code.isidentifier() and code.islower():
            codes.add(code)
    return codes


def _sources(app: str):
    for base in (ROOT / "platform" / app, ROOT / "public_api" / "rest" / app,
                 ROOT / "public_api" / "graphql" / app):  # fmt: skip
        for path in base.rglob("*.py") if base.exists() else ():
            if "tests" not in path.parts and "migrations" not in path.parts:
                yield path


@pytest.mark.parametrize("app", sorted(DOMAIN_ENUMS))
def test_every_code_a_domain_raises_is_in_its_enum(app):
    known = set(codes_for(app))
    raised = set().union(*(codes_raised(path) for path in _sources(app)))
    assert raised, f"no refusals found in {app}: is the scan still reading the source?"
    assert sorted(raised - known) == []


def test_common_codes_are_in_the_common_enum():
    raised = set()
    for base in (ROOT / "platform" / "common", ROOT / "public_api"):
        for path in base.glob("*.py") if base.name == "public_api" else base.rglob("*.py"):
            if "tests" not in path.parts:
                raised |= codes_raised(path)
    for path in (ROOT / "public_api" / "graphql").glob("*.py"):
        raised |= codes_raised(path)
    for path in (ROOT / "public_api" / "rest").glob("*.py"):
        raised |= codes_raised(path)
    assert sorted(raised - {code.value for code in CommonErrorCode}) == []


def test_values_are_lowercase_codes_and_names_their_upper_case():
    for enum in (CommonErrorCode, *DOMAIN_ENUMS.values()):
        assert issubclass(enum, ErrorCode)
        for member in enum:
            assert member.name == member.value.upper() and member.value.isidentifier()


def test_graphql_types_each_domains_errors_with_its_code_enum():
    from public_api.graphql.schema import schema

    types = schema.graphql_schema.type_map
    errors = types["CreateBookingPayload"].fields["errors"].type.of_type.of_type.of_type
    assert errors.name == "BookingError"
    code = errors.fields["code"].type.of_type
    assert code.name == "BookingErrorCode"
    # The values are the codes' own strings, as REST's `code` reads them.
    assert set(code.values) == set(codes_for("bookings"))
    assert {"min_nights", "dates_unavailable", "not_found"} <= set(code.values)


def test_openapi_documents_each_operations_codes(tmp_path):
    import json

    from django.core.management import call_command

    target = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(target))
    schema = json.loads(target.read_text())
    conflict = schema["paths"]["/api/v1/bookings/"]["post"]["responses"]["409"]
    coded = conflict["content"]["application/json"]["schema"]["allOf"][1]
    assert coded["properties"]["code"] == {"$ref": "#/components/schemas/BookingErrorCode"}
    enum = schema["components"]["schemas"]["BookingErrorCode"]["enum"]
    assert set(codes_for("bookings")) <= set(enum)
