"""The fast executor: graphql-core's executor with a shortcut for the fields that need none of it.

Most fields of a large response are scalars read from an attribute, or from a resolver that takes
only `self` (`Customer.id`, `ChannelProfile.email`). The standard path builds, for each of them, a
`GraphQLResolveInfo`, a strawberry `Info`, converts the (absent) arguments, chains the field
extensions through `functools.partial` and completes the value through four nested calls. That
is ~10 us a field, most of a response's time once it holds hundreds of objects.

`FastExecutor.execute_field` classifies each field once per schema (`plan_of`), from its
strawberry definition, and takes the shortcut only for what it can answer exactly alike:

- `ATTRIBUTE`: no resolver, no extension: `getattr(source, python_name)`;
- `SELF`: a resolver taking only `self`: the function, called directly;
- `INFO`: a resolver taking `self` and `info` only (most DataLoader fields): the function,
  called with a strawberry `Info` but without the argument conversion and extension chain;
- any of the first two with the `PersonalField` extension: the same value through
  `PersonalField.shown`, the one masking decision and audit record both paths call;

then completes a scalar or enum value inline (the same coercion, the same errors), and anything
else (objects, lists, awaitables) through graphql-core's own completion, with the same info.
Every other field (arguments, other extensions or permissions, exception handlers) and every field
of a request whose schema extensions hook per field (`resolve`) take the standard path.
Errors are raised and located by graphql-core's `handle_field_error`, as in the standard path.
`tests/execution/` runs the same queries through both executors and compares the answers.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import invalid_return_type_error
from graphql.pyutils import Path, Undefined, gather_with_cancel, inspect
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

from resolvers.common.personal import PersonalField


class Kind(enum.Enum):
    STANDARD = "standard"  # graphql-core and strawberry, unchanged
    ATTRIBUTE = "attribute"  # getattr(source, python_name)
    SELF = "self"  # resolver(source)
    INFO = "info"  # resolver(source, info=Info)


@dataclass(frozen=True, slots=True)
class FieldPlan:
    kind: Kind
    read: Callable[..., Any] | None = None  # ATTRIBUTE: the default resolver; SELF/INFO: the function
    name: str = ""  # ATTRIBUTE: python_name; INFO: the name of the info parameter
    personal: PersonalField | None = None
    leaf: GraphQLLeafType | None = None  # the leaf type completed inline (None: graphql-core completes)
    non_null: bool = False
    field: StrawberryField | None = None
    info_class: type[Any] | None = None
    inline: bool = False  # resolved and completed inside `execute_fields`: a leaf read without info

    def __post_init__(self) -> None:
        object.__setattr__(self, "inline", self.leaf is not None and self.kind in (Kind.ATTRIBUTE, Kind.SELF))


STANDARD = FieldPlan(Kind.STANDARD)


def _leaf_of(return_type: GraphQLOutputType) -> tuple[GraphQLLeafType | None, bool]:
    non_null = isinstance(return_type, GraphQLNonNull)
    inner = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
    return (inner if is_leaf_type(inner) else None), non_null


def classify(schema: GraphQLSchema, field_def: GraphQLField) -> FieldPlan:
    """How `field_def` is executed (see the module docstring)."""
    definition = field_def.extensions.get("strawberry-definition")
    strawberry_schema = getattr(schema, "_strawberry_schema", None)
    if not isinstance(definition, StrawberryField) or strawberry_schema is None or field_def.args:
        return STANDARD
    if strawberry_schema.schema_converter._exception_handler_specs:
        return STANDARD
    extensions = list(definition.extensions)
    personal = extensions[0] if len(extensions) == 1 and isinstance(extensions[0], PersonalField) else None
    if extensions and personal is None:
        return STANDARD
    leaf, non_null = _leaf_of(field_def.type)
    common: dict[str, Any] = {"personal": personal, "leaf": leaf, "non_null": non_null, "field": definition}
    resolver = definition.base_resolver
    if resolver is None:
        return FieldPlan(Kind.ATTRIBUTE, strawberry_schema.config.default_resolver, definition.python_name, **common)
    if resolver.arguments or resolver.parent_parameter or resolver.root_parameter:
        return STANDARD
    if resolver.self_parameter is None or len(resolver.signature.parameters) != 1 + bool(resolver.info_parameter):
        return STANDARD
    function = resolver.wrapped_func
    if isinstance(function, staticmethod | classmethod) or not callable(function):
        return STANDARD
    if resolver.info_parameter is None:
        return FieldPlan(Kind.SELF, function, **common)
    if personal is not None:
        return STANDARD  # a personal field reading info: none today
    info_class = strawberry_schema.config.info_class
    return FieldPlan(Kind.INFO, function, resolver.info_parameter.name, info_class=info_class, **common)


TypePlans = dict[str, FieldPlan]  # field name -> plan, for one object type


def plans_of(schema: GraphQLSchema, parent_type: GraphQLObjectType) -> TypePlans:
    """The plans of the type's fields, classified on first use and kept with the schema."""
    by_type: dict[str, TypePlans] | None = getattr(schema, "_c360_field_plans", None)
    if by_type is None:
        by_type = {}
        schema._c360_field_plans = by_type  # type: ignore[attr-defined]
    plans = by_type.get(parent_type.name)
    if plans is None:
        plans = by_type[parent_type.name] = {
            name: classify(schema, field_def) for name, field_def in parent_type.fields.items()
        }
    return plans


class FastExecutor(StrawberryGraphQLCoreExecutionContext):
    """strawberry's graphql-core executor with the per-field shortcut (module docstring)."""

    def _per_field_hooks(self) -> bool:
        middleware = self.middleware_manager
        return middleware is not None and middleware._middleware_resolvers is not None

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        """graphql-core's execute_fields, with inline leaves (`FieldPlan.inline`)."""
        if self._per_field_hooks():
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        plans = plans_of(self.schema, parent_type)
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        type_name = parent_type.name
        try:
            for response_name, field_details_list in grouped_field_set.items():
                node = field_details_list[0].node
                field_name = node.name.value
                plan = plans.get(field_name)
                if plan is not None and plan.inline and not node.arguments:
                    try:
                        if plan.kind is Kind.ATTRIBUTE:
                            value = plan.read(source_value, plan.name)  # type: ignore[misc]
                        else:
                            value = plan.read(source_value)  # type: ignore[misc]
                        if plan.personal is not None:
                            value = plan.personal.shown(value, source_value, self.context_value, type_name, field_name)
                            if is_awaitable(value):  # the customer's consents are being loaded
                                field_path = Path(path, response_name, type_name)
                                results[response_name] = self._complete_later(
                                    parent_type, field_details_list, field_path, value, position_context
                                )
                                awaitable_fields.append(response_name)
                                continue
                        results[response_name] = _complete_leaf(plan, parent_type, field_name, value)
                    except Exception as raw_error:
                        field_path = Path(path, response_name, type_name)
                        self.handle_field_error(
                            raw_error, parent_type.fields[field_name].type, field_details_list, field_path
                        )
                        results[response_name] = None
                    continue
                field_path = Path(path, response_name, type_name)
                result = self.execute_field(parent_type, source_value, field_details_list, field_path, position_context)
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def _complete_later(
        self,
        parent_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's completion of a field whose resolver answered an awaitable."""
        field_def = parent_type.fields[field_details_list[0].node.name.value]
        info = self.build_resolve_info(field_def, [d.node for d in field_details_list], parent_type, path)
        return self.complete_awaitable_value(field_def.type, field_details_list, info, path, result, position_context)

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's, dispatching on the type once instead of through four predicates."""
        if isinstance(result, Exception):
            raise result
        if isinstance(return_type, GraphQLNonNull):
            completed = self.complete_value(
                return_type.of_type, field_details_list, info, path, result, position_context
            )
            if completed is None:
                raise TypeError(f"Cannot return null for non-nullable field {info.parent_type}.{info.field_name}.")
            return completed
        if result is None or result is Undefined:
            return None
        if isinstance(return_type, GraphQLList):
            return self.complete_list_value(return_type, field_details_list, info, path, result, position_context)
        if isinstance(return_type, GraphQLObjectType):
            return self.complete_object_value(return_type, field_details_list, info, path, result, position_context)
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's, without the layers between it and execute_fields when nothing is deferred."""
        if return_type.is_type_of:
            is_type_of = return_type.is_type_of(result, info)
            if self.is_awaitable(is_type_of):
                return self._complete_object_after(
                    is_type_of, return_type, field_details_list, path, result, position_context
                )
            if not is_type_of:
                raise invalid_return_type_error(return_type, result, field_details_list)
        grouped_field_set, new_defer_usages, _forbidden = self.collect_subfields(return_type, field_details_list)
        if position_context is None and not new_defer_usages:
            return self.execute_fields(return_type, result, path, grouped_field_set, None)
        return self.execute_collected_subfields(
            return_type, result, path, grouped_field_set, new_defer_usages, position_context
        )

    async def _complete_object_after(
        self,
        is_type_of: Any,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if not await self.with_abort_signal(is_type_of):
            raise invalid_return_type_error(return_type, result, field_details_list)
        sub_fields = self.collect_and_execute_subfields(return_type, field_details_list, path, result, position_context)
        return await sub_fields if self.is_awaitable(sub_fields) else sub_fields

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        field_name = node.name.value
        plan = plans_of(self.schema, parent_type).get(field_name)
        if plan is None or plan.kind is Kind.STANDARD or node.arguments or self._per_field_hooks():
            return super().execute_field(parent_type, source, field_details_list, path, position_context)
        field_def = parent_type.fields[field_name]
        return_type = field_def.type
        info = None
        try:
            kind = plan.kind
            if kind is Kind.ATTRIBUTE:
                result = plan.read(source, plan.name)  # type: ignore[misc]
            elif kind is Kind.SELF:
                result = plan.read(source)  # type: ignore[misc]
            else:
                info = self.build_resolve_info(field_def, [d.node for d in field_details_list], parent_type, path)
                strawberry_info = plan.info_class(_raw_info=info, _field=plan.field)  # type: ignore[misc]
                result = plan.read(source, **{plan.name: strawberry_info})  # type: ignore[misc]
            if plan.personal is not None:
                result = plan.personal.shown(result, source, self.context_value, parent_type.name, field_name)
            if plan.leaf is not None and not self.is_awaitable(result):
                return _complete_leaf(plan, parent_type, field_name, result)
            if info is None:
                info = self.build_resolve_info(field_def, [d.node for d in field_details_list], parent_type, path)
            if self.is_awaitable(result):
                return self.complete_awaitable_value(
                    return_type, field_details_list, info, path, result, position_context
                )
            completed = self.complete_value(return_type, field_details_list, info, path, result, position_context)
            if self.is_awaitable(completed):
                return self._await_completed(completed, return_type, field_details_list, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        return completed

    async def _await_completed(
        self, completed: Any, return_type: GraphQLOutputType, field_details_list: FieldDetailsList, path: Path
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None


def _complete_leaf(plan: FieldPlan, parent_type: GraphQLObjectType, field_name: str, result: Any) -> Any:
    """graphql-core's complete_value for a (non-null) leaf, with the same errors."""
    if isinstance(result, Exception):
        raise result
    if result is None or result is Undefined:
        if plan.non_null:
            raise TypeError(f"Cannot return null for non-nullable field {parent_type}.{field_name}.")
        return None
    leaf = plan.leaf
    coerced = leaf.coerce_output_value(result)  # type: ignore[union-attr]
    if coerced is Undefined or coerced is None:
        raise TypeError(
            f"Expected `{inspect(leaf)}.coerce_output_value("
            f"{inspect(result)})` to return non-nullable value, returned: {inspect(coerced)}"
        )
    return coerced
