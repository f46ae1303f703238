"""The fast executor's shortcuts fail exactly like the standard path: the same messages, paths and
nulling (up to the nearest nullable parent, or the whole response), on a small schema whose
fields break on purpose in each way a shortcut can meet (no database needed)."""

from __future__ import annotations

import enum
from typing import Any

import pytest
import strawberry

from resolvers.execution.compiled import CompiledExecutor
from resolvers.execution.executor import FastExecutor, Kind, plans_of


@strawberry.enum
class Color(enum.Enum):
    RED = "RED"


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Item(Named):
    """`fail` picks how each field breaks."""

    fail: strawberry.Private[str]
    name: str
    count: int | None = None
    maybe: str | None = None

    @strawberry.field
    def required(self) -> str:
        return None if self.fail == "null" else "ok"  # type: ignore[return-value]

    @strawberry.field
    def number(self) -> int:
        return "abc" if self.fail == "coerce" else 1  # type: ignore[return-value]

    @strawberry.field
    def color(self) -> Color:
        return "BLUE" if self.fail == "enum" else Color.RED  # type: ignore[return-value]

    @strawberry.field
    def raises(self) -> str | None:
        if self.fail == "raise":
            raise ValueError("broken resolver")
        return "fine"

    @strawberry.field
    def returned_error(self) -> str | None:
        return ValueError("returned, not raised") if self.fail == "return" else "fine"  # type: ignore[return-value]

    @strawberry.field
    async def later(self, info: strawberry.Info) -> str:
        if self.fail == "later":
            raise RuntimeError("async resolver failed")
        return info.field_name

    @strawberry.field
    def now(self, info: strawberry.Info) -> str | None:
        if self.fail == "now":
            raise RuntimeError("sync info resolver failed")
        return info.path.key  # type: ignore[return-value]

    @strawberry.field
    def child(self) -> Item | None:
        return Item(fail=self.fail, name="child") if self.fail != "nochild" else None

    @strawberry.field
    def strict_child(self) -> Item:
        return Item(fail=self.fail, name="strict")

    @strawberry.field
    def echo(self, text: str = "x") -> str:
        return text


FAILS = ["none", "null", "coerce", "enum", "raise", "return", "later", "now", "nochild"]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return [Item(fail=fail, name=fail, count=n) for n, fail in enumerate(FAILS)]

    @strawberry.field
    def strict_items(self) -> list[Item]:
        return [Item(fail="null", name="strict")]

    @strawberry.field
    def one(self, fail: str = "none") -> Item | None:
        return Item(fail=fail, name=fail)

    @strawberry.field
    def named(self) -> list[Named]:
        return [Item(fail="none", name="as interface")]


def _schemas() -> dict[str, strawberry.Schema]:
    return {
        "standard": strawberry.Schema(query=Query),
        "fast": strawberry.Schema(query=Query, execution_context_class=FastExecutor),
        "compiled": strawberry.Schema(query=Query, execution_context_class=CompiledExecutor),
    }


SCHEMAS = _schemas()
ALL_FIELDS = """name count maybe required number color raises returnedError later now echo(text: "hi")
  child { name required raises child { name number } } strictChild { name required }"""

QUERIES = [
    f"{{ items {{ {ALL_FIELDS} }} }}",
    "{ items { a: name b: name name ...F ... on Item { required raises } } } fragment F on Item { count later }",
    "{ strictItems { name required } }",
    "{ items { strictChild { name number } } }",
    '{ one(fail: "null") { name required } other: one(fail: "coerce") { number color } }',
    '{ one(fail: "later") { later } x: one(fail: "now") { now } }',
    "{ named { name __typename ... on Item { required color } } }",
    "query ($skip: Boolean!) { items { name @skip(if: $skip) required @include(if: $skip) } }",
]


async def _answer(schema: strawberry.Schema, query: str) -> dict[str, Any]:
    result = await schema.execute(query, {"skip": True})
    return {"data": result.data, "errors": [repr(e.formatted) for e in result.errors or []]}


@pytest.mark.parametrize("query", QUERIES)
async def test_broken_fields_fail_alike(query: str) -> None:
    standard = await _answer(SCHEMAS["standard"], query)
    for executor in ("fast", "compiled"):
        assert await _answer(SCHEMAS[executor], query) == standard, executor
    assert standard["errors"] or "strictItems" not in query


def test_fields_are_classified_for_the_shortcuts() -> None:
    graphql_schema = SCHEMAS["fast"]._schema
    plans = plans_of(graphql_schema, graphql_schema.get_type("Item"))  # type: ignore[arg-type]
    kinds = {name: plan.kind for name, plan in plans.items()}
    assert kinds["name"] is Kind.ATTRIBUTE and kinds["required"] is Kind.SELF
    assert kinds["later"] is Kind.INFO and kinds["now"] is Kind.INFO
    assert kinds["echo"] is Kind.STANDARD  # arguments
    assert plans["name"].inline and plans["number"].inline and not plans["child"].inline
