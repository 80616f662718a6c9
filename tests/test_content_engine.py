"""The content engine's per-subject results (``per_subject``): worked out once, ahead of time when primed, and a
function that fails while priming is still reported by the assessment."""

from __future__ import annotations

from fleet import fleet

from mcprisk.assessment import assess, clear_caches, prime
from mcprisk.rules.content import _local
from mcprisk.rules.content._surface import build_surface, per_subject
from mcprisk.rules.content.override import override_hit


def test_priming_works_out_every_declared_per_subject_result():
    """After prime(), each subject already holds the result of every declared per-subject function, and asking
    again returns that very result without running the function."""
    snap = fleet(2)[0]
    clear_caches()
    prime(snap)
    subjects = build_surface([snap]).subjects
    key = f"{override_hit.__module__}.{override_hit.__qualname__}"
    assert subjects and all(key in s.memo for s in subjects)
    s = subjects[0]
    s.memo[key] = "kept"
    assert override_hit(s) == "kept"


def test_a_per_subject_function_that_raises_while_priming_is_reported_by_the_assessment(monkeypatch):
    """Priming swallows a declared function's exception; the assessment runs it again and records the failure."""
    calls = []

    def broken(subject):
        calls.append(subject.name)
        raise RuntimeError("boom")

    kept = per_subject(broken)
    try:
        from mcprisk.rules.content import override

        monkeypatch.setattr(override, "override_hit", kept)
        snap = fleet(2)[0]
        clear_caches()
        prime(snap)
        primed_calls = len(calls)
        assert primed_calls > 0
        result = assess(snap)
        assert len(calls) > primed_calls
        assert any(f.rule == "INJ001" and "boom" in f.error for f in result.rule_failures)
    finally:
        _local._LOCAL.remove(kept)
        clear_caches()
