"""Snapshots: JSON round-trip, fingerprints, loading errors, and notebook views."""

from __future__ import annotations

import json

import pytest

import mcprisk
from mcprisk import Snapshot, SnapshotError, introspect, load_snapshot
from mcprisk.snapshot import fingerprint, item_from_wire, load_snapshots, snapshots_to_json

from support import FAST, zoo_spec


@pytest.fixture(scope="module")
def snap() -> Snapshot:
    return introspect(zoo_spec("invalid-items"), limits=FAST)


def test_json_round_trip_is_lossless(snap, tmp_path):
    """A snapshot saved and loaded again equals the original, field by field."""
    path = snap.save(tmp_path / "s.json")
    again = load_snapshot(path)
    assert again == snap
    assert again.to_json() == snap.to_json()


def test_non_volatile_json_is_byte_stable(snap):
    """Two introspections of the same server give identical JSON once timings and stderr are left out."""
    other = introspect(zoo_spec("invalid-items"), limits=FAST)
    assert other.to_json(volatile=False) == snap.to_json(volatile=False)
    assert "timings" not in json.loads(snap.to_json(volatile=False))


def test_fingerprint_is_canonical_and_sensitive():
    """Key order does not change a fingerprint; any changed field does."""
    a = {"name": "t", "inputSchema": {"type": "object"}, "description": "x"}
    b = {"description": "x", "inputSchema": {"type": "object"}, "name": "t"}
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint({**a, "description": "y"})
    assert fingerprint(a) != fingerprint({**a, "annotations": {"readOnlyHint": True}})


def test_fingerprint_covers_the_unclipped_text():
    """Two long descriptions that differ only past the clip point still have different fingerprints."""
    base = "a" * 100
    one = item_from_wire("tools", {"name": "t", "inputSchema": {"type": "object"}, "description": base + "1"},
                         max_text_chars=50)
    two = item_from_wire("tools", {"name": "t", "inputSchema": {"type": "object"}, "description": base + "2"},
                         max_text_chars=50)
    assert one.description == two.description
    assert one.fingerprint != two.fingerprint
    assert one.description_sha256 != two.description_sha256


def test_annotation_defaults_follow_the_spec():
    """Absent hints read as the spec's defaults: not read-only, destructive, not idempotent, open-world."""
    tool = item_from_wire("tools", {"name": "t", "inputSchema": {"type": "object"}}, max_text_chars=100)
    assert (tool.hint("readOnlyHint"), tool.hint("destructiveHint"), tool.hint("idempotentHint"),
            tool.hint("openWorldHint")) == (False, True, False, True)


@pytest.mark.parametrize("text, message", [
    ("not json", "not valid JSON"),
    ("[]", "JSON object"),
    ('{"format": "other"}', "not an mcprisk snapshot"),
    ('{"format": "mcprisk.snapshot", "format_version": 99}', "format_version 99"),
    ('{"format": "mcprisk.snapshot", "format_version": 1}', "malformed snapshot"),
])
def test_bad_snapshot_files_name_the_problem(tmp_path, text, message):
    """Loading a broken file raises SnapshotError naming the file and what is wrong."""
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(SnapshotError, match=message) as info:
        load_snapshot(path)
    assert str(path) in str(info.value)


def test_missing_snapshot_file():
    """A missing file is a SnapshotError, not a bare OSError."""
    with pytest.raises(SnapshotError, match="no such file"):
        load_snapshot("/nonexistent/snap.json")


def test_snapshot_sets_round_trip(snap, tmp_path):
    """Several snapshots saved as a set load back as a list in order."""
    other = introspect(zoo_spec("healthy"), limits=FAST)
    path = tmp_path / "set.json"
    path.write_text(snapshots_to_json([snap, other]))
    assert load_snapshots(path) == [snap, other]


def test_to_frame_has_one_row_per_tool(snap):
    """The tools DataFrame has a row per tool with annotations as columns."""
    frame = snap.to_frame()
    assert list(frame["name"]) == ["ok", "empty_schema", "bad_header"]
    assert {"readOnlyHint", "destructiveHint", "fingerprint", "problems"} <= set(frame.columns)
    with pytest.raises(ValueError, match="kind must be one of"):
        snap.to_frame("widgets")


def test_html_repr_escapes_server_text():
    """A <script> in a tool description is shown as text in the notebook view."""
    tool = {"name": "x<b>", "inputSchema": {"type": "object"}, "description": "<script>alert(1)</script>"}
    item = item_from_wire("tools", tool, max_text_chars=1000)
    snap = Snapshot(server=mcprisk.ServerSpec.stdio(["srv"]), status="complete", tools=(item,))
    html = snap._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "x&lt;b&gt;" in html
    assert html == snap._repr_html_()


def test_raise_for_status_carries_the_partial_snapshot():
    """raise_for_status raises IntrospectionError holding the partial snapshot."""
    partial = introspect(zoo_spec("dies-mid-listing"), limits=FAST)
    with pytest.raises(mcprisk.IntrospectionError) as info:
        partial.raise_for_status()
    assert info.value.snapshot is partial
    assert introspect(zoo_spec("healthy"), limits=FAST).raise_for_status().ok


def test_no_public_name_is_shadowed_by_a_submodule():
    """A public function never shares its name with a submodule (importing the module would replace it)."""
    import importlib
    import pkgutil

    modules = {m.name for m in pkgutil.iter_modules(mcprisk.__path__)}
    assert not set(mcprisk.__all__) & modules
    for name in sorted(modules - {"__main__"}):  # importing any submodule must leave the functions callable
        importlib.import_module(f"mcprisk.{name}")
    assert callable(mcprisk.introspect) and callable(mcprisk.assess) and callable(mcprisk.probe)
