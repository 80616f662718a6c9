"""Per-subject results of the content rules (``per_subject``): what a rule works out from one subject alone, kept on
that subject so it is worked out once, and ahead of the assessment while ``mcprisk scan`` waits for other servers
(``_surface.prime_subjects`` calls ``work_out``)."""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ._surface import Subject

__all__ = ["per_subject", "work_out"]

T = TypeVar("T")

_LOCAL: list[Callable[[Subject], Any]] = []  # every per-subject function a rule declared (``per_subject``)


def per_subject(fn: Callable[[Subject], T]) -> Callable[[Subject], T]:
    """Declare a rule's per-subject function as reading its subject alone (its fields, text and concept views; no
    other subject, server or the surface): its result is kept on the subject (``Subject.memo``), so it is worked out
    once, and ``prime_subjects`` works it out ahead of the assessment while ``mcprisk scan`` waits for the other
    servers. A generator function of hits is kept for its first hit only: the kept function gives an iterator over
    that one hit (or none), so ``next(fn(subject), None)`` reads as before."""
    key = f"{fn.__module__}.{fn.__qualname__}"
    first = inspect.isgeneratorfunction(fn)

    @functools.wraps(fn)
    def kept(subject: Subject) -> Any:
        memo = subject.memo
        if key in memo:
            got = _attached(memo[key], subject)
        else:
            got = next(fn(subject), None) if first else fn(subject)  # type: ignore[call-overload]
            memo[key] = _detached(got, subject)
        if first:
            return iter(() if got is None else (got,))
        return got

    _LOCAL.append(kept)
    return kept


def _detached(result: Any, subject: Subject) -> Any:
    """A hit kept without its subject (a hit names its subject; kept on the subject it would make a reference cycle,
    which only the cyclic collector frees: the whole text pass would outlive the assessment)."""
    if getattr(result, "subject", None) is subject and dataclasses.is_dataclass(result):
        return (_DETACHED, dataclasses.replace(result, subject=None))
    return result


def _attached(kept: Any, subject: Subject) -> Any:
    if type(kept) is tuple and len(kept) == 2 and kept[0] is _DETACHED:
        return dataclasses.replace(kept[1], subject=subject)
    return kept


_DETACHED = object()


def work_out(subjects: Iterable[Subject]) -> None:
    """Every declared per-subject function over ``subjects``, ahead of the rules that read them. One that raises is
    left undone here: the rule then runs it again inside the assessment, which reports the failure."""
    for subject in subjects:
        for fn in _LOCAL:
            try:
                fn(subject)
            except Exception:  # noqa: BLE001 - reported by the assessment's own run of the rule
                pass


