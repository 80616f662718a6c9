"""Hand-built inputs for placement tests: tools, inventories written as dicts, a fixed probe posture, and the
example inventory's path."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from mcprisk.inventory import Inventory, parse_inventory
from mcprisk.model import CONTROLS, FLAGS, ToolAssessment, effect_rank

SERVER = "svc"
EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "inventory.example.yaml"

# Every control a remote placement can ask for, except proxy_consent (DT4 tests declare it on purpose).
ALL_BUT_PROXY = tuple(c for c in CONTROLS if c != "proxy_consent")


def tool(name: str, *effects: str, flags: Iterable[str] = (), server: str = SERVER,
         disabled: bool = False) -> ToolAssessment:
    """A classified tool, as the classifier would hand it over."""
    effects = tuple(sorted(set(effects) or {"read_only"}, key=effect_rank))
    flags = tuple(f for f in FLAGS if f in set(flags))
    return ToolAssessment(server, name, effects, flags, "high", disabled=disabled)


def inventory(doc: Mapping[str, Any] | None = None) -> Inventory:
    """An Inventory from a dict, through the real YAML parser and schema."""
    return parse_inventory(yaml.safe_dump(dict(doc or {}), sort_keys=False), path="inv.yaml")


def controls(*ids: str, status: str = "in_place") -> dict[str, dict[str, str]]:
    return {c: {"status": status, "evidence": f"{c} note"} for c in ids}


def clean(server: str = SERVER, *, tools: Mapping[str, Mapping[str, Any]] | None = None,
          controls_in_place: Iterable[str] = ALL_BUT_PROXY, **top: Any) -> dict[str, Any]:
    """An inventory that clears every no-go sign a tool set without credentials can raise: production,
    a team audience, a reason to be remote, complete lists, and the given controls in place."""
    doc: dict[str, Any] = {"stage": "production", "audience": "team", "remote_reason": {"reason": "team_sharing"}}
    doc.update(top)
    doc.setdefault("servers", {})
    doc["servers"][server] = {"inventory_complete": True, "proxies_third_party": False,
                              "controls": controls(*controls_in_place), **({"tools": dict(tools)} if tools else {})}
    return doc


class FixedPosture:
    """What a probe saw, per control: "verified", "missing" or absent (None)."""

    def __init__(self, seen: Mapping[str, str] | None = None):
        self.seen = dict(seen or {})

    def control_status(self, control: str) -> str | None:
        return self.seen.get(control)
