"""Reading the YAML files packaged with mcprisk (catalog, lexicons, standards), fast.

PyYAML's pure-Python parser took about 0.45 s of CPU to read the 28 packaged files: a fixed cost of every
process that assesses anything (``mcprisk scan`` pays it on top of talking to the servers). The libyaml-backed
``CSafeLoader`` builds the same Python objects with the same safe constructors in about a seventh of that; the
pure-Python ``SafeLoader`` stays the fallback where PyYAML was built without libyaml. Only trusted, packaged
text goes through here: files a user names are read by ``mcprisk._yamlsource`` (positions for messages).
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["load_yaml"]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load(text)``, through libyaml when it is there."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (CSafeLoader or SafeLoader)
