"""The compiled executor: a query planned once per request and run level by level.

graphql-core completes a response one value at a time. For every object it collects the
selection again, and for every async field of every object (each customer's `orders`, each
order's `lines`) it makes a coroutine, schedules it as a task and gathers it: the 50-customer
list of bench/execution.py is ~1,100 tasks, ~2,300 event-loop callbacks and ~4,000 completions
a request, most of its CPU once the SQL is batched.

`CompiledExecutor` (C360_EXECUTOR=compiled, the default) does the same work in a different
order. `plan_fields` turns the operation into `Step`s, one per selected field of each object
type, with graphql-core's own field collection (fragments, aliases, @skip/@include and merged
fields come out exactly as in the standard path) and each field's `FieldPlan` from the fast
executor. `run_level` then answers a whole level of the response at once, breadth first: each
step resolves its field for every object of the level in one loop, the async resolvers of the
level are driven together by `settle` (a trampoline that steps the coroutines itself, no task
each; their DataLoader calls still batch into one statement per loader), and the objects the
level returned become the next level. Masking and audit are the same `PersonalField.shown`
call as in the other paths; resolvers, loaders and their SQL are the same functions.

It answers only what it can answer exactly. A resolver error, a null in a non-null field, an
abstract type, a deferred fragment, introspection, a mutation or a schema extension hooking
each field makes the operation run again through `FastExecutor` (and so through graphql-core:
its errors, paths and null propagation), with the audit trail as it was before; loaders keep
what they cached. tests/execution/ runs the same queries through this executor and the
standard one and compares data, errors, extensions and the audit rows written.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import enum
from collections.abc import Awaitable, Generator, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from graphql import (
    DirectiveNode,
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    Visitor,
    is_leaf_type,
    visit,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined
from prometheus_client import Counter
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from resolvers.execution.documents import MAXSIZE, Lru
from resolvers.execution.executor import STANDARD, FastExecutor, FieldPlan, Kind, plans_of

EXECUTIONS = Counter(
    "c360_compiled_executions_total",
    "Query operations by how the compiled executor answered them: compiled, fallback (planned, "
    "then answered by the fast executor) or unplanned (the fast executor from the start)",
    ["path"],
)
log = structlog.get_logger("c360.graphql")
_COMPILED, _FALLBACK, _UNPLANNED = (EXECUTIONS.labels(path) for path in ("compiled", "fallback", "unplanned"))


class Fallback(Exception):
    """The compiled path cannot answer this operation exactly: the fast executor answers it."""


@dataclass(slots=True)
class Step:
    """One selected field of one object type: how to resolve it and complete its value."""

    key: str  # the response key (alias or name)
    name: str  # the field name
    parent: GraphQLObjectType
    field_def: GraphQLField | None  # None: __typename
    details: FieldDetailsList
    plan: FieldPlan
    direct: Direct | None  # a STANDARD step whose resolver is called without strawberry's wrapper
    non_null: bool
    is_list: bool
    item_non_null: bool
    leaf: GraphQLLeafType | None = None
    object_type: GraphQLObjectType | None = None
    children: list[Step] | None = None  # the object type's steps


def _shape(return_type: GraphQLOutputType) -> tuple[bool, bool, bool, Any]:
    """(non_null, is_list, item_non_null, named type); nested lists are not planned."""
    non_null = isinstance(return_type, GraphQLNonNull)
    inner = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
    if not isinstance(inner, GraphQLList):
        return non_null, False, False, inner
    item = inner.of_type
    item_non_null = isinstance(item, GraphQLNonNull)
    named = item.of_type if isinstance(item, GraphQLNonNull) else item
    if isinstance(named, GraphQLList):
        raise Fallback("nested list")
    return non_null, True, item_non_null, named


class _Resumable:
    """An awaitable being driven by `settle`: its iterator and what it waits for."""

    __slots__ = ("run", "waits")

    def __init__(self, awaitable: Awaitable[Any]) -> None:
        self.run: Generator[Any, None, Any] = awaitable.__await__()
        self.waits: Any = None


async def settle(awaitables: Sequence[Awaitable[Any]]) -> list[Any]:
    """The values of `awaitables`, run to the end together without a task each.

    Each is stepped as an asyncio Task would step it: until it yields the future it waits for,
    then again once that future is done (a bare `yield`, as in `asyncio.sleep(0)`, waits one
    turn of the loop). All are first stepped in one go, so the DataLoader calls they make batch
    as under `asyncio.gather`. When any raised, the others still run to the end, then `Fallback`
    is raised from the first error; when this coroutine is cancelled, the unfinished ones are
    closed."""
    values: list[Any] = [None] * len(awaitables)
    runs = [_Resumable(awaitable) for awaitable in awaitables]
    ready = list(range(len(runs)))
    blocked: list[int] = []
    failure: BaseException | None = None
    try:
        while True:
            for i in ready:
                run = runs[i]
                try:
                    yielded = run.run.send(None)
                except StopIteration as stop:
                    values[i] = stop.value
                    continue
                except (Exception, asyncio.CancelledError) as error:
                    failure = failure or error
                    continue
                if yielded is not None and getattr(yielded, "_asyncio_future_blocking", None) is None:
                    run.run.close()
                    failure = failure or RuntimeError(f"awaitable yielded {yielded!r}, not a future")
                    continue
                if yielded is not None:
                    yielded._asyncio_future_blocking = False  # as Task.__step does
                run.waits = yielded
                blocked.append(i)
            if not blocked:
                break
            futures = {runs[i].waits for i in blocked}
            if None in futures:
                await asyncio.sleep(0)  # a bare yield: one turn of the loop, as a Task gets
            elif all(not future.done() for future in futures):
                # Any of them, not the first: the coroutine whose future is done may hold what
                # the others wait for. Done ones are resumed without waiting.
                await asyncio.wait(futures, return_when=asyncio.FIRST_COMPLETED)
            ready = [i for i in blocked if runs[i].waits is None or runs[i].waits.done()]
            blocked = [i for i in blocked if runs[i].waits is not None and not runs[i].waits.done()]
    except BaseException:
        for i in blocked:
            runs[i].run.close()
        raise
    if failure is not None:
        raise Fallback(type(failure).__name__) from failure
    return values


@dataclass(frozen=True, slots=True)
class Direct:
    """A resolver with arguments and nothing around it (no extension, permission or exception
    handler): called as `function(source, **arguments, info=...)`, its arguments converted by
    strawberry once per level instead of once per object (Customer.orders(first:))."""

    function: Any
    field: StrawberryField
    info_name: str | None
    info_class: Any
    scalars: Any
    config: Any


def _direct_resolver(schema: GraphQLSchema, field_def: GraphQLField) -> Direct | None:
    definition = field_def.extensions.get("strawberry-definition")
    strawberry_schema = getattr(schema, "_strawberry_schema", None)
    if not isinstance(definition, StrawberryField) or strawberry_schema is None or definition.extensions:
        return None
    converter = strawberry_schema.schema_converter
    resolver = definition.base_resolver
    if converter._exception_handler_specs or resolver is None or resolver.self_parameter is None:
        return None
    if resolver.parent_parameter or resolver.root_parameter or definition.is_subscription:
        return None
    function = resolver.wrapped_func
    if isinstance(function, staticmethod | classmethod) or not callable(function):
        return None
    info = resolver.info_parameter
    return Direct(function, definition, None if info is None else info.name, strawberry_schema.config.info_class,
                  converter.scalar_registry, strawberry_schema.config)  # fmt: skip


_READS = (Kind.ATTRIBUTE, Kind.SELF)
# Leaf values completed without asking whether they are awaitable first.
_PLAIN = frozenset({str, int, float, bool, dt.datetime, dt.date, decimal.Decimal})

_ENUM_TYPES: set[type] = set()  # Enum classes seen as leaf values (never awaitable: no __await__)


def _is_enum_member(value: Any) -> bool:
    cls = type(value)
    if cls in _ENUM_TYPES:
        return True
    if isinstance(value, enum.Enum) and not hasattr(cls, "__await__"):
        _ENUM_TYPES.add(cls)
        return True
    return False


# (schema id, operation id, switches) -> (operation, steps); the entry keeps the operation alive, so
# its id is not reused while the entry lasts (schemas live as long as the process)
_plans: Lru[tuple[Any, list[Step]]] = Lru(MAXSIZE)
_switch_names: Lru[tuple[Any, tuple[str, ...]]] = Lru(MAXSIZE)


def _switches_of(operation: OperationDefinitionNode, fragments: dict[str, Any]) -> tuple[str, ...]:
    """The variables an operation's directives read (@skip(if: $x)): the plan depends on their
    values, its other variables only reach arguments, which are read per request."""

    def find() -> tuple[Any, tuple[str, ...]]:
        names: set[str] = set()

        class Switches(Visitor):
            def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
                for argument in node.arguments or ():
                    if isinstance(argument.value, VariableNode):
                        names.add(argument.value.name.value)

        for node in (operation, *fragments.values()):
            visit(node, Switches())
        return operation, tuple(sorted(names))

    return _switch_names.get(id(operation), find)[1]


def _close(awaitables: list[Awaitable[Any]]) -> None:
    """Close coroutines that were made but will not be run (no 'never awaited' warning)."""
    for awaitable in awaitables:
        close = getattr(awaitable, "close", None)
        if close is not None:
            close()


class CompiledExecutor(FastExecutor):
    """Plans and runs a query level by level; anything it cannot answer exactly, the fast
    executor answers (module docstring)."""

    def execute_root_grouped_field_set(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        position_context: Any,
    ) -> Any:
        if serially or position_context is not None or self.operation.operation is not OperationType.QUERY:
            return super().execute_root_grouped_field_set(
                root_type, root_value, grouped_field_set, serially, position_context
            )
        try:
            steps = None if self._per_field_hooks() else self._plan(root_type, grouped_field_set)
        except Fallback:
            steps = None
        if steps is None:
            _UNPLANNED.inc()
            return super().execute_root_grouped_field_set(
                root_type, root_value, grouped_field_set, serially, position_context
            )
        return self._run_or_fall_back(steps, root_type, root_value, grouped_field_set)

    async def _run_or_fall_back(
        self, steps: list[Step], root_type: GraphQLObjectType, root_value: Any, grouped_field_set: GroupedFieldSet
    ) -> Any:
        audit = getattr(self.context_value, "audit", None)
        recorded = None if audit is None else {customer: set(fields) for customer, fields in audit.fields.items()}
        self._infos: dict[int, Any] = {}
        self._arguments: dict[int, dict[str, Any]] = {}
        try:
            [data] = await self.run_level(steps, [root_value])
        except Fallback as fallback:
            _FALLBACK.inc()
            log.debug("compiled.fallback", reason=str(fallback))  # a kind of cause, never a value
            if audit is not None and recorded is not None:
                audit.fields = recorded
            result = super().execute_root_grouped_field_set(root_type, root_value, grouped_field_set, False, None)
            return await result if self.is_awaitable(result) else result
        _COMPILED.inc()
        return data

    # -- planning ---------------------------------------------------------------------------

    def _plan(self, root_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> list[Step]:
        """The operation's steps, planned once per schema, query text and @skip/@include values
        (the document cache shares one parsed operation between the schemas of a process)."""
        operation = self.operation
        switches = _switches_of(operation, self.fragment_definitions)
        key = (id(self.schema), id(operation), tuple(self.variable_values.coerced.get(name) for name in switches))
        return _plans.get(key, lambda: (operation, self.plan_fields(root_type, grouped_field_set)))[1]

    def plan_fields(self, parent: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> list[Step]:
        """The steps of one object type's selection (raises Fallback for what is not planned).
        Steps hold nothing of one request: argument values and infos are the executor's."""
        plans = plans_of(self.schema, parent)
        steps: list[Step] = []
        for key, details in grouped_field_set.items():
            node = details[0].node
            name = node.name.value
            if name == "__typename":
                steps.append(Step(key, name, parent, None, details, STANDARD, None, True, False, False))
                continue
            field_def = parent.fields.get(name)
            if field_def is None:
                raise Fallback("introspection")
            plan = plans.get(name, STANDARD)
            direct = None
            if plan.personal is not None and plan.field is not None and plan.field.is_async:
                plan = STANDARD  # masked after it is awaited: strawberry's extension chain does that
            if plan.kind is Kind.STANDARD or node.arguments:
                direct = _direct_resolver(self.schema, field_def)
                plan = STANDARD
            non_null, is_list, item_non_null, named = _shape(field_def.type)
            leaf = named if is_leaf_type(named) else None
            object_type = named if isinstance(named, GraphQLObjectType) else None
            if leaf is None and object_type is None:
                raise Fallback("abstract type")
            children = None
            if object_type is not None:
                grouped, defer_usages, forbidden = self.collect_subfields(object_type, details)
                if defer_usages or forbidden:
                    raise Fallback("deferred")
                children = self.plan_fields(object_type, grouped)
            shape = (non_null, is_list, item_non_null, leaf, object_type, children)
            steps.append(Step(key, name, parent, field_def, details, plan, direct, *shape))
        return steps

    def _info(self, step: Step) -> GraphQLResolveInfo[Any]:
        """The step's GraphQLResolveInfo in this request: the path is the field's under its type
        (resolvers read `info.context`, `info.path.typename`, never the list indexes)."""
        info = self._infos.get(id(step))
        if info is None:
            field_def = step.field_def
            assert field_def is not None
            nodes = [d.node for d in step.details]
            path = Path(None, step.key, step.parent.name)
            info = self._infos[id(step)] = self.build_resolve_info(field_def, nodes, step.parent, path)
        return info

    def _arguments_of(self, step: Step, info: Any) -> dict[str, Any]:
        """The step's arguments in this request: graphql-core's values, converted by strawberry
        for a `Direct` resolver (once for every object of the level)."""
        found = self._arguments.get(id(step))
        if found is None:
            assert step.field_def is not None
            found = get_argument_values(step.field_def, step.details[0].node, self.variable_values)
            direct = step.direct
            if direct is not None:
                found = convert_arguments(found, direct.field.arguments, scalar_registry=direct.scalars,
                                          config=direct.config, info=info)  # fmt: skip
            self._arguments[id(step)] = found
        return found

    # -- running ----------------------------------------------------------------------------

    async def run_level(self, steps: list[Step], sources: list[Any]) -> list[dict[str, Any]]:
        """The response objects of `sources` (all of one object type) for `steps`."""
        results: list[dict[str, Any]] = [{} for _ in sources]
        later: list[tuple[dict[str, Any], Step]] = []  # (object, step) whose value is awaited
        awaitables: list[Awaitable[Any]] = []
        try:
            for step in steps:
                self._resolve(step, sources, results, later, awaitables)
            if awaitables:
                values = await settle(awaitables)
                awaitables = []
                for (result, step), value in zip(later, values, strict=True):
                    result[step.key] = self._leaf(step, value) if step.leaf is not None else value
        except Fallback:
            _close(awaitables)
            raise
        except Exception as error:
            _close(awaitables)
            raise Fallback(type(error).__name__) from error
        for step in steps:
            if step.children is not None:
                await self._complete_objects(step, results)
        return results

    def _resolve(
        self,
        step: Step,
        sources: list[Any],
        results: list[dict[str, Any]],
        later: list[tuple[dict[str, Any], Step]],
        awaitables: list[Awaitable[Any]],
    ) -> None:
        """Resolves `step` for every source: leaves completed now, objects kept raw, awaitables
        queued for `settle`. Each result gets the key now, so keys keep the selection's order."""
        key, plan, ctx, is_awaitable = step.key, step.plan, self.context_value, self.is_awaitable
        if step.field_def is None:  # __typename
            for result in results:
                result[key] = step.parent.name
            return
        kind, personal, leaf = plan.kind, plan.personal, step.leaf
        if kind in _READS and leaf is not None and not step.is_list:
            self._plain_leaves(step, sources, results, later, awaitables)
            return
        type_name, field_name = step.parent.name, step.name
        read, name = plan.read, plan.name
        call: Any = None
        if kind is Kind.STANDARD:
            raw_info = self._info(step)
            direct = step.direct
            if direct is None:
                resolve, args = step.field_def.resolve or self.field_resolver, self._arguments_of(step, None)
                call = lambda source: resolve(source, raw_info, **args)  # noqa: E731
            else:
                info = direct.info_class(_raw_info=raw_info, _field=direct.field)
                kwargs = dict(self._arguments_of(step, info))
                if direct.info_name is not None:
                    kwargs[direct.info_name] = info
                function = direct.function
                call = lambda source: function(source, **kwargs)  # noqa: E731
        elif kind is Kind.INFO:
            info = plan.info_class(_raw_info=self._info(step), _field=plan.field)  # type: ignore[misc]
            by_name = {name: info}
            call = lambda source: read(source, **by_name)  # type: ignore[misc]  # noqa: E731
        for source, result in zip(sources, results, strict=True):
            if kind is Kind.ATTRIBUTE:
                value = read(source, name)  # type: ignore[misc]
            elif kind is Kind.SELF:
                value = read(source)  # type: ignore[misc]
            else:
                value = call(source)
            if personal is not None and not is_awaitable(value):
                value = personal.shown(value, source, ctx, type_name, field_name)
            if is_awaitable(value):
                result[key] = None
                later.append((result, step))
                awaitables.append(value)
            elif leaf is not None:
                result[key] = self._leaf(step, value)
            else:
                result[key] = value

    def _plain_leaves(
        self,
        step: Step,
        sources: list[Any],
        results: list[dict[str, Any]],
        later: list[tuple[dict[str, Any], Step]],
        awaitables: list[Awaitable[Any]],
    ) -> None:
        """`_resolve` for the commonest steps, a scalar read from an attribute or a `self`-only
        resolver (Order.total, Customer.email), masked when personal: one loop."""
        key, plan, non_null, is_awaitable = step.key, step.plan, step.non_null, self.is_awaitable
        read, name, personal, by_attribute = plan.read, plan.name, plan.personal, plan.kind is Kind.ATTRIBUTE
        ctx, type_name, field_name = self.context_value, step.parent.name, step.name
        coerce = step.leaf.coerce_output_value  # type: ignore[union-attr]
        for source, result in zip(sources, results, strict=True):
            value = getattr(source, name) if by_attribute else read(source)  # type: ignore[misc]
            if personal is not None:
                value = personal.shown(value, source, ctx, type_name, field_name)
            if value is None:
                if non_null:
                    raise Fallback("null")
                result[key] = None
            elif type(value) in _PLAIN or _is_enum_member(value):
                coerced = coerce(value)
                if coerced is None or coerced is Undefined:
                    raise Fallback("leaf")
                result[key] = coerced
            elif is_awaitable(value):  # an async resolver, or consents being loaded for masking
                result[key] = None
                later.append((result, step))
                awaitables.append(value)
            else:
                result[key] = self._leaf(step, value)

    def _leaf(self, step: Step, value: Any) -> Any:
        """graphql-core's completion of a leaf (or list of leaves) value, or Fallback."""
        if value is None or value is Undefined:
            if step.non_null:
                raise Fallback("null")
            return None
        if isinstance(value, Exception):
            raise Fallback("error value")
        leaf = step.leaf
        assert leaf is not None
        if not step.is_list:
            coerced = leaf.coerce_output_value(value)
            if coerced is None or coerced is Undefined:
                raise Fallback("leaf")
            return coerced
        if not isinstance(value, list | tuple):
            raise Fallback("not a list")
        items = []
        for item in value:
            coerced = None if item is None else leaf.coerce_output_value(item)
            if coerced is Undefined or (coerced is None and step.item_non_null):
                raise Fallback("leaf item")
            items.append(coerced)
        return items

    async def _complete_objects(self, step: Step, results: list[dict[str, Any]]) -> None:
        """The objects `step` returned across the level, completed as the next level."""
        object_type, key = step.object_type, step.key
        assert object_type is not None and step.children is not None
        is_type_of = object_type.is_type_of
        sources: list[Any] = []
        for result in results:
            value = result[key]
            if value is None:
                if step.non_null:
                    raise Fallback("null")
                continue
            if isinstance(value, Exception):
                raise Fallback("error value")
            if not step.is_list:
                sources.append(value)
                continue
            if not isinstance(value, list | tuple):
                raise Fallback("not a list")
            for item in value:
                if item is None:
                    if step.item_non_null:
                        raise Fallback("null item")
                else:
                    sources.append(item)
        if is_type_of is not None:
            info = self._info(step)
            for source in sources:
                if is_type_of(source, info) is not True:
                    raise Fallback("is_type_of")
        completed = iter(await self.run_level(step.children, sources) if sources else ())
        for result in results:
            value = result[key]
            if value is None:
                continue
            if not step.is_list:
                result[key] = next(completed)
            else:
                result[key] = [None if item is None else next(completed) for item in value]
