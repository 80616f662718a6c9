"""The workbook's interactive and display parts: the explorer widget and the tables notebooks show.

``Explorer`` (ipywidgets) answers the inventory, declares controls and tool decisions and shows the verdict move;
``frames`` holds the assessment's DataFrames (``frames.tools_frame(a)``, ...); ``table`` and the ``*_table``
helpers show DataFrames left-aligned and wrapped, and what would otherwise print as nested dicts (drift, flows,
placements) as tables. Matplotlib figures stay in ``mcprisk.plots``.
"""

from __future__ import annotations

from .display import Table, drift_table, flows_table, placement_table, table

__all__ = ["Explorer", "Table", "drift_table", "flows_table", "placement_table", "table"]


def __getattr__(name: str):
    if name == "Explorer":  # ipywidgets is imported only when the explorer is asked for
        from .explorer import Explorer

        return Explorer
    raise AttributeError(f"module 'mcprisk.workbook' has no attribute {name!r}")
