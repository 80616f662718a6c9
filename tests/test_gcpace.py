"""``fewer_collections``: the GC threshold raised and older objects frozen during an assessment, always put back."""

from __future__ import annotations

import gc
import threading

import pytest

from mcprisk import _gcpace, assessment
from mcprisk._gcpace import YOUNG, fewer_collections
from mcprisk.snapshot import Snapshot, item_from_wire
from mcprisk.specs import ServerSpec


@pytest.fixture(autouse=True)
def _default_thresholds():
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def _collectable(obj: object) -> bool:
    """Whether ``obj`` sits in one of the collector's generations (a frozen object does not)."""
    return any(o is obj for o in gc.get_objects())


def test_what_lived_before_is_frozen_inside_and_unfrozen_after():
    """An object alive at entry is frozen during the block and back in the collector's generations after it."""
    before = [object()]
    with fewer_collections():
        assert not _collectable(before)
        during = [object()]
        assert _collectable(during)
    assert _collectable(before)


def test_a_callers_freeze_is_left_alone():
    """When the caller froze objects itself, the block neither freezes more nor unfreezes the caller's."""
    frozen = [object()]
    gc.freeze()
    try:
        later = [object()]
        with fewer_collections():
            assert _collectable(later)
        assert not _collectable(frozen)
    finally:
        gc.unfreeze()


def test_raised_inside_and_restored_after():
    """Inside, the young threshold is YOUNG and the older ones untouched; after, the thresholds are as before."""
    with fewer_collections():
        assert gc.get_threshold() == (YOUNG, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_restored_when_the_body_raises():
    """An exception inside the block still puts the thresholds back."""
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("boom")
    assert gc.get_threshold() == (700, 10, 10)


def test_nested_and_concurrent_users_restore_once_at_the_end():
    """The inner block's exit keeps the raised threshold while another user is still inside."""
    with fewer_collections():
        with fewer_collections():
            pass
        assert gc.get_threshold()[0] == YOUNG
        done = threading.Event()

        def other() -> None:
            with fewer_collections():
                done.set()

        t = threading.Thread(target=other)
        t.start()
        t.join(timeout=10)
        assert done.is_set() and gc.get_threshold()[0] == YOUNG
    assert gc.get_threshold() == (700, 10, 10) and _gcpace._depth == 0


def test_never_lowers_a_higher_threshold_nor_enables_a_switched_off_one():
    """A caller's higher threshold, or threshold 0 (collection off), is left as the caller set it."""
    gc.set_threshold(YOUNG * 5, 10, 10)
    with fewer_collections():
        assert gc.get_threshold()[0] == YOUNG * 5
    gc.set_threshold(0, 10, 10)
    with fewer_collections():
        assert gc.get_threshold()[0] == 0
    assert gc.get_threshold() == (0, 10, 10)


def test_assess_runs_inside_and_leaves_the_thresholds_as_found(monkeypatch):
    """``assess`` classifies with the raised threshold and restores the caller's thresholds when it returns."""
    seen: list[int] = []
    classify_all = assessment._classify_all

    def spy(*args, **kwargs):
        seen.append(gc.get_threshold()[0])
        return classify_all(*args, **kwargs)

    monkeypatch.setattr(assessment, "_classify_all", spy)
    tool = item_from_wire("tools", {"name": "get_time", "description": "Current time.", "inputSchema": {}},
                          max_text_chars=8192)
    snap = Snapshot(server=ServerSpec.stdio(["srv"], name="clock"), status="complete", tools=(tool,))
    result = assessment.assess(snap)
    assert seen == [YOUNG] and result.tools[0].tool == "get_time"
    assert gc.get_threshold() == (700, 10, 10)
