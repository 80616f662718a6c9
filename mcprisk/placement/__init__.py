"""Where may this server run, what must be in place first, how far could it go, and may it be used at all.

One package, layered so that nothing imports back up:

* ``results``   the frozen records (Placement, ToolPlacement, SplitPlan, ControlStatus, NoGo, Ceiling, ...)
* ``words``     every catalog id with its meaning, for sentences
* ``facts``     the server's context, its tools' facts, control states, the severe reading of unsettled tools
* ``tree``      the decision tree (DT1..DT5); ``nogo`` the no-go signs; ``controls`` requirements per pattern
* ``decide``    one decision for any set of tools; ``split`` split plans; ``ceiling`` how far it could go
* ``place``     ``place`` and ``place_tool``; ``where`` the pattern a server runs in now
* ``findings``  the findings a placement raises; ``verdict`` do_not_use / needs_controls / ready
"""

from __future__ import annotations

from .facts import APPROVAL_EFFECTS, PostureLike, severe_reading
from .findings import placement_findings
from .place import place, place_tool
from .results import (Answer, Beyond, Ceiling, ControlStatus, DecisionStep, HeldBack, Hold, NoGo, Placement, SplitPlan,
                      ToolPlacement)
from .split import apply_split
from .verdict import Verdict, verdict_for
from .where import current_pattern
from .words import describe, meaning

__all__ = [
    "APPROVAL_EFFECTS",
    "Answer",
    "Beyond",
    "Ceiling",
    "ControlStatus",
    "DecisionStep",
    "HeldBack",
    "Hold",
    "NoGo",
    "Placement",
    "PostureLike",
    "SplitPlan",
    "ToolPlacement",
    "Verdict",
    "apply_split",
    "current_pattern",
    "describe",
    "meaning",
    "place",
    "place_tool",
    "placement_findings",
    "severe_reading",
    "verdict_for",
]
