"""The explorer widget, where it has always been importable from (``mcprisk.explore.Explorer``).

It lives in ``mcprisk.workbook`` with the workbook's display helpers.
"""

from __future__ import annotations

from .workbook.explorer import Explorer

__all__ = ["Explorer"]
