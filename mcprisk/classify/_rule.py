"""What a classification rule is: a function of one ToolContext that returns Evidence, with a code and a title."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..model import Evidence
from ..ruleinfo import evidence_code
from .context import ToolContext

__all__ = ["DerivedRule", "Rule", "rule"]

Rule = Callable[[ToolContext], Iterable[Evidence]]
# A rule that also needs the effects the first weighing found (what reaches other people can carry data out).
DerivedRule = Callable[[ToolContext, frozenset[str]], Iterable[Evidence]]


def rule(code: str, title: str) -> Callable[[Rule], Rule]:
    """Attach a code, a title and a RuleInfo (its docstring the description) to a rule function; registration is
    the explicit tuple in ``registry``."""

    def wrap(fn: Rule) -> Rule:
        fn.code = code  # type: ignore[attr-defined]
        fn.title = title  # type: ignore[attr-defined]
        fn.info = evidence_code(code, title, fn.__doc__ or "", family="classification")  # type: ignore[attr-defined]
        return fn

    return wrap
