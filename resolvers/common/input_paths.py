"""Where in the input a scalar refused its value, as the `field` path a caller can act on.

A scalar (DateTime, Date, Decimal) that refuses a value does not know where the value sits;
graphql-core does: for a variable it names the path in its message ("Variable '$input' has
invalid value at .lines[0].unitPrice: ..."), for a literal the error points at the value's node
in the document. Both become `["input", "lines", "0", "unitPrice"]`, the form payload errors use.
"""

from __future__ import annotations

import re

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    InlineFragmentNode,
    ListValueNode,
    Node,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
)

_VARIABLE = re.compile(r"^Variable '\$(\w+)' has invalid value(?: at ((?:\.\w+|\[\d+\])+))?: ")
_STEP = re.compile(r"\.(\w+)|\[(\d+)\]")


def input_path(error: GraphQLError, document: DocumentNode | None) -> list[str] | None:
    """The path of the refused value, or None when it cannot be told."""
    match = _VARIABLE.match(error.message)
    if match:
        name, steps = match.groups()
        return [name, *(key or index for key, index in _STEP.findall(steps or ""))]
    if document is not None and error.nodes and len(error.nodes) == 1:
        return _literal_path(document, error.nodes[0])
    return None


def _in_value(value: ValueNode, target: Node, path: list[str]) -> list[str] | None:
    if value is target:
        return path
    if isinstance(value, ObjectValueNode):
        for field in value.fields:
            found = _in_value(field.value, target, [*path, field.name.value])
            if found is not None:
                return found
    if isinstance(value, ListValueNode):
        for index, item in enumerate(value.values):
            found = _in_value(item, target, [*path, str(index)])
            if found is not None:
                return found
    return None


def _in_selections(selection_set: SelectionSetNode | None, target: Node) -> list[str] | None:
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            for argument in selection.arguments or ():
                found = _in_value(argument.value, target, [argument.name.value])
                if found is not None:
                    return found
        if isinstance(selection, FieldNode | InlineFragmentNode):
            found = _in_selections(selection.selection_set, target)
            if found is not None:
                return found
    return None


def _literal_path(document: DocumentNode, target: Node) -> list[str] | None:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            found = _in_selections(definition.selection_set, target)
            if found is not None:
                return found
    return None


def input_error(error: GraphQLError, document: DocumentNode | None) -> GraphQLError | None:
    """A variable's or literal's refused value as an INVALID_INPUT error with its `field` path
    (dotted, like a domain error's); None for other errors. The message is the scalar's own when
    it has one (it never repeats the value), else graphql-core's."""
    inner = error.original_error if isinstance(error.original_error, GraphQLError) else error
    extensions = dict(inner.extensions or {})
    if _VARIABLE.match(error.message):  # any value a variable cannot take is bad input
        extensions["code"] = "INVALID_INPUT"
    if extensions.get("code") != "INVALID_INPUT":
        return None
    path = input_path(error, document)
    if path:
        extensions.setdefault("field", ".".join(path))
    message = inner.message if inner is not error else error.message
    return GraphQLError(message, nodes=error.nodes, path=error.path, extensions=extensions)
