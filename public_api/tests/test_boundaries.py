"""REST and GraphQL are siblings: neither imports the other. What both need (throttles, the
idempotent booking and its stored body) lives in public_api.common, which imports neither."""

import ast
from pathlib import Path

import pytest

PUBLIC_API = Path(__file__).resolve().parents[1]


def imported_modules(package: str) -> set[tuple[str, str]]:
    """(file, module) for every absolute import in the package's source files."""
    found = set()
    for path in (PUBLIC_API / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found.update((str(path.relative_to(PUBLIC_API)), name) for name in names)
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("graphql", ("public_api.rest",)),
        ("rest", ("public_api.graphql",)),
        ("common", ("public_api.rest", "public_api.graphql")),
    ],
)
def test_interfaces_do_not_import_each_other(package, forbidden):
    offending = sorted(
        (path, module)
        for path, module in imported_modules(package)
        if module.startswith(forbidden) and "/tests/" not in f"/{path}"
    )
    assert offending == []
