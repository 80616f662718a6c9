"""Writing a trained model's JSON body where the package ships it, or checking it against what is shipped (both
training scripts: ``--check`` fails unless training reproduces the shipped checksum)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def ship(body: dict[str, Any], target: Path, root: Path, *, check: bool) -> int:
    """Compare ``body``'s checksum with the file at ``target`` (``check``: exit status 1 when they differ), or write
    it there; prints what it did."""
    if check:
        shipped = json.loads(target.read_text(encoding="utf-8"))["checksum"]
        print(f"trained {body['checksum']}\nshipped {shipped}")
        return 0 if shipped == body["checksum"] else 1
    target.write_text(json.dumps(body, sort_keys=True, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {target.relative_to(root)} ({target.stat().st_size:,} bytes), checksum {body['checksum']}")
    return 0
