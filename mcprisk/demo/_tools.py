"""Shared plumbing for the demo servers: declaring tools with honest hints, and registering them on an MCPServer."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations


@dataclass(frozen=True)
class ToolSpec:
    """What a demo tool declares about itself besides its signature and docstring."""

    title: str
    hints: ToolAnnotations
    reaches_outside: bool
    """Reads third-party content or sends to an argument-chosen destination (left out of internal profiles)."""


Method = Callable[..., Any]


def demo_tool(title: str, *, read_only: bool, destructive: bool = False, idempotent: bool = False,
              open_world: bool = False, reaches_outside: bool = False) -> Callable[[Method], Method]:
    """Mark a method as a tool. All four hints are always spelled out, so a reader never relies on spec defaults."""
    spec = ToolSpec(
        title=title,
        hints=ToolAnnotations(
            read_only_hint=read_only,
            destructive_hint=destructive,
            idempotent_hint=idempotent or read_only,
            open_world_hint=open_world,
        ),
        reaches_outside=reaches_outside,
    )

    def mark(fn: Method) -> Method:
        fn.__demo_tool__ = spec  # type: ignore[attr-defined]
        return fn

    return mark


def declared_tools(backend: object) -> Iterator[tuple[str, Method, ToolSpec]]:
    """Yield ``(name, bound method, spec)`` for every ``@demo_tool`` method in source order.

    A subclass that overrides a tool keeps the tool's place in the list but supplies its own version.
    """
    specs: dict[str, ToolSpec] = {}
    for cls in reversed(type(backend).__mro__):
        for name, member in vars(cls).items():
            spec = getattr(member, "__demo_tool__", None)
            if isinstance(spec, ToolSpec):
                specs[name] = spec  # re-assigning a key keeps its original position
    for name, spec in specs.items():
        yield name, getattr(backend, name), spec


def description_of(fn: Method) -> str:
    """A docstring as a tool description: dedented, because the SDK sends docstrings verbatim."""
    return inspect.cleandoc(fn.__doc__ or "")


def register_tools(server: MCPServer, backend: object, *, include_outside: bool = True, annotate: bool = True,
                   claims: Mapping[str, ToolAnnotations] | None = None,
                   rewrite: Mapping[str, Callable[[str], str]] | None = None) -> None:
    """Register the backend's tools on ``server``, in source order.

    ``annotate=False`` sends no annotations at all; ``claims`` replaces the declared hints of the tools it
    names; ``rewrite`` edits the descriptions of the tools it names.
    """
    rewrite = rewrite or {}
    claims = claims or {}
    for name, fn, spec in declared_tools(backend):
        if spec.reaches_outside and not include_outside:
            continue
        description = description_of(fn)
        if name in rewrite:
            description = rewrite[name](description)
        hints = claims.get(name, spec.hints) if annotate else None
        server.add_tool(fn, name=name, title=spec.title, description=description, annotations=hints)
