"""Loading snapshots from hostile input: every input gives a Snapshot or a SnapshotError, never another exception."""

from __future__ import annotations

import json
import math
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mcprisk import ServerSpec, Snapshot, SnapshotError, load_snapshot, load_snapshots
from mcprisk.snapshot import IntrospectionIssue, item_from_wire, snapshots_to_json

# Each example is a few milliseconds; the deadline catches a hang or a blow-up long before a test timeout.
# MCPRISK_FUZZ_EXAMPLES=5000 digs deeper than the default run.
FUZZ = settings(max_examples=int(os.environ.get("MCPRISK_FUZZ_EXAMPLES", "200")), deadline=2000,
                suppress_health_check=[HealthCheck.too_slow])


def valid_snapshot() -> Snapshot:
    """A snapshot with one of every item kind, an error and a source, built without a server."""
    wire = {
        "tools": {"name": "delete_order", "description": "Delete an order.", "x-extra": [1, {"a": None}],
                  "inputSchema": {"type": "object", "properties": {"id": {"type": "string"}}},
                  "annotations": {"destructiveHint": True, "title": "Delete"}},
        "resources": {"uri": "zoo://readme", "name": "readme", "mimeType": "text/plain", "size": 12},
        "resource_templates": {"uriTemplate": "zoo://items/{id}", "name": "item"},
        "prompts": {"name": "summarise", "arguments": [{"name": "id", "required": True}]},
    }
    items = {k: (item_from_wire(k, v, max_text_chars=100),) for k, v in wire.items()}
    spec = ServerSpec.stdio(["python", "server.py", "--flag"], name="fuzzed", env={"API_KEY": "k" * 12})
    return Snapshot(server=spec, status="partial", era="legacy", protocol_version="2025-11-25",
                    server_info={"name": "fuzzed", "version": "1"}, capabilities={"tools": {}, "prompts": {}},
                    instructions="Be nice.", instructions_length=8, **items,
                    errors=(IntrospectionIssue("tools", "timeout", "tools/list got no answer"),),
                    pages={"tools": 1}, stderr="log line\n", timings={"total": 0.5})


VALID = valid_snapshot().to_dict()

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=25)


def loads_or_snapshot_error(text: str) -> Snapshot | None:
    """The property under test: a well-formed Snapshot, or SnapshotError (whose message names the source).

    Well-formed means what the loader promises its callers: a status and era from their vocabularies and a
    named server, so nothing downstream meets a value the types rule out.
    """
    try:
        snap = Snapshot.from_json(text, source="fuzz.json")
    except SnapshotError as exc:
        assert str(exc).startswith("fuzz.json"), exc
        return None
    assert snap.status in ("complete", "partial", "failed"), snap.status
    assert snap.era in ("legacy", "modern", None), snap.era
    assert isinstance(snap.name, str) and snap.name, snap.name
    return snap


def usable(snap: Snapshot) -> None:
    """What loads must also save and show: a loaded snapshot that crashed a view would crash a notebook later."""
    saved = snap.to_json()
    assert Snapshot.from_json(saved).to_json() == saved  # saving and loading again loses nothing
    repr(snap)
    assert snap.server.target
    snap._repr_html_()
    for kind in ("tools", "resources", "resource_templates", "prompts"):
        snap.to_frame(kind)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (keys and indexes) into a JSON value, the root included."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths(v, (*prefix, i))
    return out


def mutate(doc: Any, path: tuple, how: str, new: Any) -> Any:
    """A copy of ``doc`` with the value at ``path`` replaced, deleted, or given a stray sibling."""
    doc = json.loads(json.dumps(doc))
    if not path:
        return new if how == "replace" else doc
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "replace":
        parent[last] = new
    elif how == "delete":
        del parent[last]
    elif isinstance(parent, dict):
        parent[f"stray-{len(parent)}"] = new
    else:
        parent.append(new)
    return doc


# --------------------------------------------------------------------------------------------


def test_the_valid_snapshot_round_trips():
    """The seed the mutations start from is itself loadable and loses nothing."""
    snap = valid_snapshot()
    assert Snapshot.from_json(snap.to_json()) == snap


@pytest.mark.slow
@FUZZ
@given(st.text(max_size=300))
@example("")
@example("{")
@example("[" * 100_000)
@example("1" * 5000)
@example('{"format": "mcprisk.snapshot", "format_version": 1e999}')
def test_arbitrary_text(text):
    """Any text at all is a Snapshot or a SnapshotError."""
    loads_or_snapshot_error(text)


@pytest.mark.slow
@FUZZ
@given(json_values)
def test_arbitrary_json(value):
    """Any JSON document is a Snapshot or a SnapshotError."""
    loads_or_snapshot_error(json.dumps(value))


@pytest.mark.slow
@FUZZ
@given(json_values)
def test_arbitrary_json_with_the_right_header(value):
    """Arbitrary fields behind a valid format header are still a Snapshot or a SnapshotError."""
    doc = {"format": "mcprisk.snapshot", "format_version": 1}
    if isinstance(value, dict):
        doc.update(value)
    else:
        doc["server"] = value
    loads_or_snapshot_error(json.dumps(doc))


@pytest.mark.slow
@FUZZ
@given(st.data())
def test_mutated_valid_snapshot(data):
    """A valid snapshot with one field replaced, removed or added is a Snapshot or a SnapshotError."""
    path = data.draw(st.sampled_from(paths(VALID)), label="path")
    how = data.draw(st.sampled_from(["replace", "delete", "insert"]), label="how")
    new = data.draw(json_values, label="new")
    doc = mutate(VALID, path, how, new)
    snap = loads_or_snapshot_error(json.dumps(doc))
    if snap is not None:
        usable(snap)


@pytest.mark.parametrize("field", ["instructions_length", "format_version"])
@pytest.mark.parametrize("number", ["Infinity", "-Infinity", "NaN", "1e999", "9" * 5000])
def test_non_finite_and_huge_numbers(field, number):
    """JSON numbers Python cannot turn into an int (inf, NaN, 5000 digits) are a SnapshotError, not a crash."""
    text = json.dumps(VALID).replace(f'"{field}": {VALID[field]}', f'"{field}": {number}')
    assert number in text
    loads_or_snapshot_error(text)


@pytest.mark.parametrize("number", ["Infinity", "NaN", "1e999"])
def test_non_finite_item_lengths(number):
    """A non-finite description_length in an item is a SnapshotError too."""
    doc = json.loads(json.dumps(VALID))
    doc["tools"][0]["description_length"] = math.inf
    text = json.dumps(doc).replace("Infinity", number)
    loads_or_snapshot_error(text)


@pytest.mark.parametrize(("path", "value"), [
    (("status",), {"x": 1}),
    (("status",), "done"),
    (("era",), 2026),
    (("pages",), [["a", 1], [2, 3]]),
    (("capabilities",), [1]),
    (("tools", 0, "name"), 7),
    (("tools", 0, "problems"), [1]),
    (("tools", 0, "extra"), [[1, 2]]),
    (("prompts", 0, "arguments"), [1]),
])
def test_wrongly_typed_fields_are_a_snapshot_error(path, value):
    """A field of the wrong JSON type is reported on load, not left to crash a view or a save later."""
    with pytest.raises(SnapshotError, match="malformed snapshot"):
        Snapshot.from_json(json.dumps(mutate(VALID, path, "replace", value)))


def test_invalid_server_transport_is_a_snapshot_error():
    """A server entry that cannot be a ServerSpec (unknown transport) is reported as a malformed snapshot."""
    doc = mutate(VALID, ("server", "transport"), "replace", "carrier-pigeon")
    with pytest.raises(SnapshotError, match="malformed snapshot"):
        Snapshot.from_json(json.dumps(doc))


def test_deep_nesting_is_a_snapshot_error_or_loads():
    """Nesting deep enough to exhaust the recursion limit ends in a SnapshotError, not a RecursionError."""
    text = json.dumps(VALID).replace('"log line\\n"', "[" * 50_000 + "]" * 50_000)
    loads_or_snapshot_error(text)


# -- files: load_snapshot / load_snapshots ---------------------------------------------------


@pytest.mark.slow
@FUZZ
@given(st.binary(max_size=300))
@example(b"\xff\xfe{}")
@example(json.dumps({"format": "mcprisk.snapshots", "format_version": 1, "snapshots": {}}).encode())
@example(json.dumps({"format": "mcprisk.snapshots", "format_version": 1, "snapshots": [1]}).encode())
def test_arbitrary_files(tmp_path_factory, raw):
    """Any file content, valid UTF-8 or not, loads or raises SnapshotError naming the file."""
    path = tmp_path_factory.mktemp("fuzz") / "snap.json"
    path.write_bytes(raw)
    for loader in (load_snapshot, load_snapshots):
        try:
            loader(path)
        except SnapshotError as exc:
            assert str(path) in str(exc)


@pytest.mark.slow
@FUZZ
@given(st.data())
def test_mutated_snapshot_sets(tmp_path_factory, data):
    """A snapshot set with one snapshot mutated loads or raises SnapshotError naming the set entry."""
    good = json.loads(snapshots_to_json([valid_snapshot(), valid_snapshot()]))
    path_in = data.draw(st.sampled_from(paths(good)), label="path")
    how = data.draw(st.sampled_from(["replace", "delete", "insert"]), label="how")
    doc = mutate(good, path_in, how, data.draw(json_values, label="new"))
    path = tmp_path_factory.mktemp("fuzz") / "set.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    try:
        snaps = load_snapshots(path)
    except SnapshotError as exc:
        assert str(path) in str(exc)
    else:
        for snap in snaps:
            usable(snap)
