"""An ipywidgets explorer over one Assessment: answer the inventory, declare controls, override or disable a tool,
and watch the verdict and placement move.

Two panes: on the left what the operator declares (the server's inventory answers, credentials and data stores,
controls in place, one tool's decisions) and the tools and findings; on the right a sticky banner with the
verdict, where the server may run (was -> now, since the explorer was opened), its ceiling, what holds it back
and the split plan. Every change is a new operator declaration fed to ``reassess``: findings and placement are
worked out again from the current tools, overrides and disabled set; the widget never computes risk itself.
Outputs are HTML widgets (not ``Output`` capture), so its logic is tested without a browser.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..assessment import Assessment, reassess
from ..graph import tool_credentials
from ..declarations import AUDIENCES
from ..inventory import Inventory
from ..model import CONTROLS, EFFECTS, FLAGS
from ..placement import describe
from .editor import InventoryEditor, MultiCheck
from .panes import BANNER_CSS, banner_html, findings_html, tools_html

__all__ = ["Explorer"]

_AS_CLASSIFIED = "(as classified)"
_UNDECLARED = "(undeclared)"
_E = html.escape


def _heading(text: str) -> widgets.HTML:
    return widgets.HTML(f"<h4>{_E(text)}</h4>")


class Explorer(widgets.VBox):
    """Explore an assessment: choose a server, answer its inventory questions (credentials, data stores, stage,
    audience, ...), declare controls, override, gate or disable a tool, apply the split plan, and see the
    verdict, placement, split plan and findings update.

    ``explorer.assessment`` is always the current result (the starting one plus the declarations made); the
    widgets show the state the explorer was created with until someone changes them.
    """

    def __init__(self, assessment: Assessment, *, report_dir: str | Path = "report"):
        self._base = self._start = assessment
        self.assessment = assessment
        self.inventory = assessment.inventory if assessment.inventory is not None else Inventory.empty()
        self.report_dir = Path(report_dir).expanduser().resolve()
        servers = list(assessment.servers)
        self._quiet = True  # set while widgets are synced from the model, so observers do not recurse
        self.server = widgets.Dropdown(options=servers, value=servers[0] if servers else None, description="server")
        self.audience = widgets.Dropdown(options=[_UNDECLARED, *AUDIENCES], value=_UNDECLARED,
                                         description="audience")
        self.editor = InventoryEditor(self._declarations_changed)
        self.complete = self.editor.complete
        self.controls = {c: widgets.Checkbox(value=False, description=describe(c), indent=False,
                                             layout=widgets.Layout(width="auto")) for c in CONTROLS}
        self.tool = widgets.Dropdown(options=[], description="tool")
        self.override = widgets.Dropdown(options=[_AS_CLASSIFIED, *EFFECTS], value=_AS_CLASSIFIED,
                                         description="effect")
        self.disabled = widgets.Checkbox(value=False, description="disable this tool", indent=False)
        self.approval = widgets.Checkbox(value=False, description="approval gate", indent=False)
        self.off_switch = widgets.Checkbox(value=False, description="off switch of its own", indent=False)
        self.effects = MultiCheck(EFFECTS, EFFECTS, "effects")
        self.flags = MultiCheck(FLAGS, (), "flags")
        self.export = widgets.Button(description="export report", icon="download",
                                     tooltip=f"writes report.html, report.md and report.json to {self.report_dir}")
        self.apply_split = widgets.Button(description="apply split plan", icon="scissors",
                                          tooltip="move the plan's tools off this server (disable them here)")
        self.banner = widgets.HTML()
        self.verdict_html = self.placement_html = self.split_html = self.banner  # one banner holds them all
        self.tools_html = widgets.HTML()
        self.findings_html = widgets.HTML()
        self.status = widgets.HTML(f"<small>exports to <code>{_E(str(self.report_dir))}</code></small>")

        self.server.observe(self._on_server, names="value")
        for w in (self.effects, self.flags):
            w.observe(self._on_filter, names="value")
        self.tool.observe(self._on_tool, names="value")
        self.audience.observe(self._on_declare, names="value")
        for box in self.controls.values():
            box.observe(self._on_declare, names="value")
        for w in (self.override, self.disabled, self.approval, self.off_switch):
            w.observe(self._on_tool_decl, names="value")
        self.export.on_click(lambda _b: self.export_report())
        self.apply_split.on_click(lambda _b: self.apply_split_plan())

        controls_box = widgets.GridBox(list(self.controls.values()),
                                       layout=widgets.Layout(grid_template_columns="repeat(auto-fill, minmax(340px, 1fr))"))
        for box in (self.effects, self.flags):
            box.layout.flex_flow = "row wrap"
        left = widgets.VBox([
            widgets.HBox([self.server, self.audience]),
            _heading("Inventory: what introspection cannot see"), self.editor,
            _heading("Controls in place (declared for the chosen server)"), controls_box,
            _heading("One tool"), widgets.HBox([self.tool, self.override]),
            widgets.HBox([self.disabled, self.approval, self.off_switch]),
            _heading("Tools"), self.effects, self.flags, self.tools_html,
            _heading("Findings"), self.findings_html,
            widgets.HBox([self.export, self.status]),
        ], layout=widgets.Layout(width="62%", padding="0 12px 0 0"))
        self.left = left
        self.right = widgets.VBox([self.banner, self.apply_split], layout=widgets.Layout(width="38%"))
        self.right.add_class("mcprisk-right")
        super().__init__([widgets.HTML(BANNER_CSS), widgets.HBox([left, self.right])])
        self.add_class("mcprisk-explorer")
        self._quiet = False
        self._sync_from_model()

    def __repr__(self) -> str:  # short and stable: a notebook's text/plain of the widget never changes run to run
        return f"Explorer(server={self.server.value!r}, servers={len(self.server.options)})"

    # -- what the widget shows (plain methods: testable without a browser) ------------------------

    def visible_tools(self) -> list[Any]:
        """Tools of the chosen server that have one of the chosen effects and every chosen flag."""
        chosen_effects, chosen_flags = set(self.effects.value), set(self.flags.value)
        return [ta for ta in self.assessment.tools_of(self.server.value or "")
                if set(ta.effects) & chosen_effects and chosen_flags <= set(ta.flags)]

    def placement_text(self) -> str:
        """One line: where the chosen server may run, and what is missing."""
        try:
            p = self.assessment.placement(self.server.value)
        except KeyError:
            return "placement not computed"
        return f"{p.server}: recommended {p.recommended} (now {p.current or 'unknown'}). {p.summary}"

    def verdict_text(self) -> str:
        """The chosen server's verdict in one line: the state in words, then its sentences."""
        try:
            v = self.assessment.verdict(self.server.value)
        except KeyError:
            return "no verdict"
        return f"{v.label}: {v.summary}"

    def ceiling_text(self) -> str:
        """How far the chosen server could go, and what that takes ('' when placement was not computed)."""
        try:
            c = self.assessment.placement(self.server.value).ceiling
        except KeyError:
            return ""
        return "" if c is None else f"Ceiling {c.pattern}: {c.summary}"

    def split_text(self) -> str:
        """The split plan for the chosen server, in one paragraph ('' when none applies)."""
        try:
            plan = self.assessment.split_plan(self.server.value)
        except KeyError:
            return ""
        return plan.text if plan is not None else ""

    def tool_placement_text(self, tool: str | None = None) -> str:
        """Where one tool (the chosen one by default) could be offered on its own, and why."""
        tool = tool or self.tool.value
        try:
            tp = self.assessment.tool_placement(self.server.value, tool)
        except KeyError:
            return ""
        return f"{tp.tool}: {tp.recommended} on its own. {tp.why}"

    # -- declarations -------------------------------------------------------------------------------

    def declare_control(self, control: str, in_place: bool = True) -> None:
        """Declare a control in place (or not) for the chosen server, as the checkbox does."""
        self.controls[control].value = in_place

    def declare_credential(self, name: str, *, kind: str = "static_api_key", scope: str | None = "narrow",
                           kept: bool = True, tools: Sequence[str] | None = None) -> None:
        """Describe one credential of the chosen server, as its row in the editor does (``tools`` None: every
        tool uses it)."""
        row = self.editor.credential_row(name) if any(r.name == name for r in self.editor.credentials.children) \
            else self.editor.add_credential_row(name)
        self._quiet = True
        try:
            row.scope.value = scope or "(scope unknown)"
            row.kept.value = kept
            row.shared.value = tools is None
            row.tools.value = tuple(tools or ())
        finally:
            self._quiet = False
        row.kind.value = kind  # the last change triggers the re-assessment

    def declare_data_store(self, name: str, *, customer_data: bool = True, tools: Sequence[str] | None = None) -> None:
        """List one data store of the chosen server in the inventory, as its row in the editor does."""
        row = self.editor.data_store_row(name) if any(r.name == name for r in self.editor.data_stores.children) \
            else self.editor.add_data_store_row(name)
        self._quiet = True
        try:
            row.customer.value = customer_data
            row.shared.value = tools is None
            row.tools.value = tuple(tools or ())
        finally:
            self._quiet = False
        row.listed.value = True

    def apply_split_plan(self, target: str | None = None) -> Any:
        """Apply the chosen server's split plan (nearest target, or ``target``): its tools are moved off the
        server, i.e. disabled there, and the placement is recomputed. Returns the plan applied (None: none)."""
        from ..placement import apply_split

        server = self.server.value
        try:
            plan = self.assessment.split_plan(server, target)
        except KeyError:
            plan = None
        if plan is None:
            self.status.value = "no split plan to apply"
            return None
        self.inventory = apply_split(self.inventory, plan)
        self._recompute()
        self._sync_tool_widgets()
        self.status.value = f"moved {len(plan.move)} tool(s) off {_E(server)} for {_E(plan.target_pattern)}"
        return plan

    def _declarations_changed(self) -> None:
        server = self.server.value
        if server is None or self._quiet:
            return
        inv = self.inventory
        for control, box in self.controls.items():
            inv = inv.with_control(server, control, "in_place" if box.value else None)
        audience = None if self.audience.value == _UNDECLARED else self.audience.value
        inv = inv.with_server_setting(server, audience=audience)
        self.inventory = self.editor.apply(inv, server)
        self._recompute()

    def _tool_changed(self) -> None:
        server, tool = self.server.value, self.tool.value
        if server is None or tool is None:
            return
        effect = None if self.override.value == _AS_CLASSIFIED else self.override.value
        self.inventory = self.inventory.with_tool(
            server, tool, disabled=bool(self.disabled.value), approval=self.approval.value or None,
            off_switch=self.off_switch.value or None,
            classification=None if effect is None else {
                "effects": [effect], "flags": list(self._base.tool(server, tool).flags),
                "reason": "set in the explorer"})
        self._recompute()

    def _recompute(self) -> None:
        self.assessment = reassess(self.assessment, inventory=self.inventory)
        self._render()

    def export_report(self, formats: Sequence[str] = ("html", "md", "json")) -> list[Path]:
        """Write the current assessment's report to ``report_dir`` (an absolute path; the button does this) and
        show where, with a link to the HTML page."""
        from ..render import write_report

        paths = write_report(self.assessment, self.report_dir, formats=tuple(formats))
        page = next((p for p in paths if p.suffix == ".html"), paths[0])
        self.status.value = (f'wrote {", ".join(_E(p.name) for p in paths)} to <code>{_E(str(self.report_dir))}'
                             f'</code>: <a href="{_E(page.as_uri())}" target="_blank">{_E(str(page))}</a>')
        return paths

    # -- observers ------------------------------------------------------------------------------------

    def _on_server(self, _change: dict[str, Any]) -> None:
        if not self._quiet:
            self._sync_from_model()

    def _on_filter(self, _change: dict[str, Any]) -> None:
        if not self._quiet:
            self._render()

    def _on_tool(self, _change: dict[str, Any]) -> None:
        if not self._quiet:
            self._sync_tool_widgets()
            self._render()

    def _on_declare(self, _change: dict[str, Any]) -> None:
        if not self._quiet:
            self._declarations_changed()

    def _on_tool_decl(self, _change: dict[str, Any]) -> None:
        if not self._quiet:
            self._tool_changed()

    # -- syncing widgets from the model -------------------------------------------------------------

    def _sync_from_model(self) -> None:
        """Set every input widget from the current inventory for the chosen server."""
        self._quiet = True
        try:
            server, inv, a = self.server.value or "", self.inventory, self.assessment
            for control, box in self.controls.items():
                box.value = bool(server and inv.control_declared(server, control))
            audience = inv.audience(server) if server else None
            self.audience.value = audience if audience in AUDIENCES else _UNDECLARED
            names = [ta.tool for ta in a.tools_of(server)]
            creds = sorted({c for cs in tool_credentials(a.graph, server).values() for c in cs}) if server else []
            stores = sorted({d.get("label", n) for n, d in a.graph.nodes(data=True)
                             if d.get("kind") == "datastore" and d.get("inferred")
                             and str(n).startswith(f"datastore:{server}/")})
            self.editor.load(inv, server, creds, stores, names)
            self.tool.options = names
            self.tool.value = names[0] if names else None
        finally:
            self._quiet = False
        self._sync_tool_widgets()
        self._render()

    def _sync_tool_widgets(self) -> None:
        server, tool = self.server.value, self.tool.value
        decl = self.inventory.tool_decl(server, tool) if server and tool else None
        cls = getattr(decl, "classification", None)
        effects = list(getattr(cls, "effects", ()) or ())
        quiet, self._quiet = self._quiet, True
        try:
            self.override.value = max(effects, key=EFFECTS.index) if effects else _AS_CLASSIFIED
            self.disabled.value = bool(getattr(decl, "disabled", False))
            self.approval.value = bool(getattr(decl, "approval", False))
            self.off_switch.value = bool(getattr(decl, "off_switch", False))
        finally:
            self._quiet = quiet

    def _render(self) -> None:
        a, server = self.assessment, self.server.value or ""
        self.banner.value = banner_html(a, server, self._start)
        try:
            self.apply_split.disabled = a.split_plan(server) is None
        except KeyError:
            self.apply_split.disabled = True
        self.tools_html.value = tools_html(a, server, self.visible_tools())
        self.findings_html.value = findings_html(a, server)
