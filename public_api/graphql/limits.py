"""Query limits, checked during validation so an abusive query is refused before it runs.

- depth: nesting of selections (a chain of `ofType` in introspection does not count);
- page size: a literal or variable `first` above the maximum;
- cost: an estimate of how many objects the query resolves. Each field costs 1, and the cost of
  everything below a connection is multiplied by its `first` (default page size when omitted);
  below a plain list, by a fixed estimate, except for a list over a date range (`start`, `end`
  arguments, e.g. `availability`): by its number of days. Aliases and fragments are counted
  where they are used.

The walk tolerates invalid documents (unknown fields, fragments or cycles): the standard rules
report those, this rule only must not crash on them.
"""

from __future__ import annotations

import datetime as dt

from graphql import GraphQLError
from graphql.language import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    StringValueNode,
    VariableNode,
)
from graphql.type import get_named_type, get_nullable_type, is_list_type
from graphql.validation import ValidationRule

from common.dates import MAX_RANGE_DAYS

LIST_ESTIMATE = 10  # objects assumed in a plain list (amenities, photos, nightly prices)
INTROSPECTION_LIST_ESTIMATE = 5


class _Measure:
    def __init__(self, context, *, variables, max_page_size, default_page_size):
        self.context = context
        self.schema = context.schema
        self.variables = variables if isinstance(variables, dict) else {}
        self.max_page_size = max_page_size
        self.default_page_size = default_page_size
        self.fragments = {
            d.name.value: d
            for d in context.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        self.page_errors: list[GraphQLError] = []
        self.fragment_sizes: dict[tuple, tuple[int, int]] = {}

    def operation(self, node: OperationDefinitionNode) -> tuple[int, int]:
        root = {
            OperationType.QUERY: self.schema.query_type,
            OperationType.MUTATION: self.schema.mutation_type,
            OperationType.SUBSCRIPTION: self.schema.subscription_type,
        }.get(node.operation)
        return self.selections(node.selection_set, root, frozenset(), False)

    def selections(self, selection_set, parent_type, path, in_introspection) -> tuple[int, int]:
        depth, cost = 0, 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                d, c = self.field(selection, parent_type, path, in_introspection)
            elif isinstance(selection, InlineFragmentNode):
                fragment_type = self._type_named(selection.type_condition) or parent_type
                d, c = self.selections(
                    selection.selection_set, fragment_type, path, in_introspection
                )
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in path:  # unknown or cyclic: reported elsewhere
                    continue
                fragment_type = self._type_named(fragment.type_condition) or parent_type
                # A fragment measures the same wherever it is spread: measure it once, or a
                # chain of fragments each spreading the next twice costs 2^n walks.
                key = (name, getattr(fragment_type, "name", None), in_introspection)
                if key not in self.fragment_sizes:
                    self.fragment_sizes[key] = self.selections(
                        fragment.selection_set, fragment_type, path | {name}, in_introspection
                    )
                d, c = self.fragment_sizes[key]
            else:
                continue
            depth, cost = max(depth, d), cost + c
        return depth, cost

    def field(self, node: FieldNode, parent_type, path, in_introspection) -> tuple[int, int]:
        name = node.name.value
        field_def = self._field_def(parent_type, name)
        in_introspection = in_introspection or name.startswith("__")
        if not node.selection_set:
            return 0, 1
        child_type = get_named_type(field_def.type) if field_def else None
        depth, cost = self.selections(node.selection_set, child_type, path, in_introspection)
        own_depth = 0 if name == "ofType" else 1
        return own_depth + depth, 1 + self._multiplier(node, field_def, in_introspection) * cost

    def _multiplier(self, node: FieldNode, field_def, in_introspection) -> int:
        if field_def is not None and "first" in field_def.args:
            return self._first(node)
        if node.name.value == "edges":  # a connection's page: already counted by its `first`
            return 1
        if field_def is not None and is_list_type(get_nullable_type(field_def.type)):
            if {"start", "end"} <= set(field_def.args):
                return self._days(node)
            return INTROSPECTION_LIST_ESTIMATE if in_introspection else LIST_ESTIMATE
        return 1

    def _first(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                first = int(value.value)
            elif isinstance(value, VariableNode):
                first = self.variables.get(value.name.value)
            else:
                first = None
            if isinstance(first, int) and not isinstance(first, bool):
                if first > self.max_page_size:
                    self.page_errors.append(
                        GraphQLError(
                            f"`first` may be at most {self.max_page_size}.",
                            node,
                            extensions={"code": "page_size"},
                        )
                    )
                return max(first, 0)
            return self.default_page_size  # absent or not yet coerced: assume the default
        return self.default_page_size

    def _days(self, node: FieldNode) -> int:
        """A date-range list has a row per day: count them, or assume the longest range
        when the dates are not (yet) readable (the resolver refuses ranges beyond it)."""
        dates = {}
        for argument in node.arguments or ():
            value = argument.value
            if isinstance(value, StringValueNode):
                dates[argument.name.value] = value.value
            elif isinstance(value, VariableNode):
                dates[argument.name.value] = self.variables.get(value.name.value)
        try:
            start, end = dt.date.fromisoformat(dates["start"]), dt.date.fromisoformat(dates["end"])
        except (KeyError, TypeError, ValueError):
            return MAX_RANGE_DAYS
        return min(max((end - start).days, 0), MAX_RANGE_DAYS)

    def _field_def(self, parent_type, name: str):
        if name in ("__schema", "__type"):
            return _introspection_field(name)
        fields = getattr(parent_type, "fields", None)
        return fields.get(name) if fields else None

    def _type_named(self, named_type_node):
        if named_type_node is None:
            return None
        return self.schema.get_type(named_type_node.name.value)


def _introspection_field(name: str):
    from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

    return SchemaMetaFieldDef if name == "__schema" else TypeMetaFieldDef


def limits_rule(
    *, variables, max_depth: int, max_cost: int, max_page_size: int, default_page_size: int
) -> type[ValidationRule]:
    """A validation rule class enforcing the limits for one request's variables."""

    class QueryLimitsRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
            measure = _Measure(
                self.context,
                variables=variables,
                max_page_size=max_page_size,
                default_page_size=default_page_size,
            )
            depth, cost = measure.operation(node)
            for error in measure.page_errors:
                self.report_error(error)
            if depth > max_depth:
                self.report_error(
                    GraphQLError(
                        f"The query is nested {depth} levels deep; the maximum is {max_depth}.",
                        node,
                        extensions={"code": "query_too_deep"},
                    )
                )
            if cost > max_cost:
                self.report_error(
                    GraphQLError(
                        f"The query is too expensive (estimated cost {cost}, maximum "
                        f"{max_cost}): request smaller pages or fewer nested fields.",
                        node,
                        extensions={"code": "query_too_expensive"},
                    )
                )
            return False  # nothing below needs visiting by this rule

    return QueryLimitsRule
