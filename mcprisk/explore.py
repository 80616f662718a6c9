"""An ipywidgets explorer over one Assessment: filter tools, declare controls, override a tool, watch placement change.

It opens with the chosen server's verdict (do not use / needs controls / ready) and how far the server could
go, shows each tool's own placement, the tools holding the server back and the split plan, and applies the
plan (moving its tools off the server, i.e. disabling them there) in one click. Every catalog id is shown with
its meaning.

Every change is a new operator declaration fed to ``reassess``; the widget never computes risk itself.
Outputs are HTML widgets (not ``Output`` capture), so the explorer also works in exported notebooks and
its logic can be tested without a browser.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from .assessment import Assessment, reassess
from .model import CONTROLS, EFFECTS, FLAGS, SEVERITIES
from .placement import describe

__all__ = ["Explorer"]

AUDIENCES = ("single_user", "team", "organisation", "partners", "public")
_AS_CLASSIFIED = "(as classified)"
_E = html.escape
_STATE_COLOUR = {"do_not_use": "#b42318", "needs_controls": "#b7791f", "ready": "#00855f"}


class Explorer(widgets.VBox):
    """Explore an assessment: choose a server and a tool, filter by effect and flag, declare controls and the
    audience, override or disable a tool, apply the split plan, and see the placement, each tool's own
    placement, the split plan, missing controls and findings update.

    ``explorer.assessment`` is always the current result (the starting one plus the declarations made).
    """

    def __init__(self, assessment: Assessment, *, report_dir: str | Path = "report"):
        self._base = assessment
        self.assessment = assessment
        self.inventory = assessment.inventory
        self.report_dir = Path(report_dir)
        servers = list(assessment.servers)
        self.server = widgets.Dropdown(options=servers, value=servers[0] if servers else None, description="server")
        self.effects = widgets.SelectMultiple(options=list(EFFECTS), value=tuple(EFFECTS), description="effects",
                                              rows=len(EFFECTS))
        self.flags = widgets.SelectMultiple(options=list(FLAGS), value=(), description="flags", rows=len(FLAGS))
        self.tool = widgets.Dropdown(options=[], description="tool")
        self.audience = widgets.Dropdown(options=["(undeclared)", *AUDIENCES], value="(undeclared)",
                                         description="audience")
        self.controls = {c: widgets.Checkbox(value=False, description=describe(c), indent=False,
                                             layout=widgets.Layout(width="auto")) for c in CONTROLS}
        self.override = widgets.Dropdown(options=[_AS_CLASSIFIED, *EFFECTS], value=_AS_CLASSIFIED,
                                         description="effect")
        self.disabled = widgets.Checkbox(value=False, description="disable this tool", indent=False)
        self.complete = widgets.Checkbox(value=False, description="credentials and data stores fully listed",
                                         indent=False)
        self.export = widgets.Button(description="export report", icon="download")
        self.apply_split = widgets.Button(description="apply split plan", icon="scissors",
                                          tooltip="move the plan's tools off this server (disable them here)")
        self.verdict_html = widgets.HTML()
        self.placement_html = widgets.HTML()
        self.split_html = widgets.HTML()
        self.tools_html = widgets.HTML()
        self.findings_html = widgets.HTML()
        self.status = widgets.HTML()
        self._quiet = False  # set while widgets are synced from the model, so observers do not recurse

        for w in (self.server,):
            w.observe(self._on_server, names="value")
        for w in (self.effects, self.flags):
            w.observe(self._on_filter, names="value")
        self.tool.observe(self._on_tool, names="value")
        self.audience.observe(self._on_declare, names="value")
        self.complete.observe(self._on_declare, names="value")
        for box in self.controls.values():
            box.observe(self._on_declare, names="value")
        self.override.observe(self._on_tool_decl, names="value")
        self.disabled.observe(self._on_tool_decl, names="value")
        self.export.on_click(lambda _b: self.export_report())
        self.apply_split.on_click(lambda _b: self.apply_split_plan())

        controls_box = widgets.GridBox(list(self.controls.values()),
                                       layout=widgets.Layout(grid_template_columns="repeat(3, 33%)"))
        super().__init__([
            widgets.HBox([self.server, self.audience, self.complete]),
            self.verdict_html,
            widgets.HBox([self.effects, self.flags]),
            widgets.HTML("<b>Controls in place</b> (declared for the chosen server)"),
            controls_box,
            widgets.HBox([self.tool, self.override, self.disabled]),
            self.placement_html,
            widgets.HBox([self.apply_split]),
            self.split_html,
            self.tools_html,
            self.findings_html,
            widgets.HBox([self.export, self.status]),
        ])
        self._sync_from_model()

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

    def apply_split_plan(self, target: str | None = None) -> Any:
        """Apply the chosen server's split plan (nearest target, or ``target``): its tools are moved off the
        server, i.e. disabled there, and the placement is recomputed. Returns the plan applied (None: none)."""
        from .inventory import Inventory
        from .placement import apply_split

        server = self.server.value
        try:
            plan = self.assessment.split_plan(server, target)
        except KeyError:
            plan = None
        if plan is None:
            self.status.value = "no split plan to apply"
            return None
        inv = self.inventory if self.inventory is not None else Inventory.empty()
        self.inventory = apply_split(inv, plan)
        self.assessment = reassess(self.assessment, inventory=self.inventory)
        self._quiet = True
        try:
            self._sync_tool_widgets()
        finally:
            self._quiet = False
        self._render()
        self.status.value = f"moved {len(plan.move)} tool(s) off {_E(server)} for {_E(plan.target_pattern)}"
        return plan

    def declare_control(self, control: str, in_place: bool = True) -> None:
        """Declare a control in place (or not) for the chosen server, as the checkbox does."""
        self.controls[control].value = in_place

    def _declarations_changed(self) -> None:
        from .inventory import Inventory

        inv = self.inventory if self.inventory is not None else Inventory.empty()
        server = self.server.value
        if server is None:
            return
        for control, box in self.controls.items():
            inv = inv.with_control(server, control, "in_place" if box.value else None)
        audience = None if self.audience.value == "(undeclared)" else self.audience.value
        inv = inv.with_server_setting(server, audience=audience, inventory_complete=self.complete.value or None)
        self.inventory = inv
        self._recompute()

    def _tool_changed(self) -> None:
        from .inventory import Inventory

        server, tool = self.server.value, self.tool.value
        if server is None or tool is None:
            return
        inv = self.inventory if self.inventory is not None else Inventory.empty()
        effect = None if self.override.value == _AS_CLASSIFIED else self.override.value
        inv = inv.with_tool(server, tool, disabled=bool(self.disabled.value),
                            classification=None if effect is None else {
                                "effects": [effect], "flags": list(self._classified(server, tool).flags),
                                "reason": "set in the explorer"})
        self.inventory = inv
        self._recompute()

    def _classified(self, server: str, tool: str) -> Any:
        return self._base.tool(server, tool)

    def _recompute(self) -> None:
        self.assessment = reassess(self.assessment, inventory=self.inventory)
        self._render()

    def export_report(self, formats: Sequence[str] = ("html", "md", "json")) -> list[Path]:
        """Write the current assessment's report to ``report_dir`` (the button does this)."""
        from .render import write_report

        paths = write_report(self.assessment, self.report_dir, formats=tuple(formats))
        self.status.value = f"wrote {len(paths)} file(s) to {_E(str(self.report_dir))}"
        return paths

    # -- observers ------------------------------------------------------------------------------------

    def _on_server(self, _change: dict[str, Any]) -> None:
        if not self._quiet:
            self._sync_from_model()

    def _on_filter(self, _change: dict[str, Any]) -> None:
        if not self._quiet:
            self._render()

    def _on_tool(self, _change: dict[str, Any]) -> None:
        if self._quiet:
            return
        self._quiet = True
        try:
            self._sync_tool_widgets()
        finally:
            self._quiet = False
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
            server = self.server.value
            inv = self.inventory
            for control, box in self.controls.items():
                box.value = bool(inv is not None and server and inv.control_declared(server, control))
            audience = inv.audience(server) if inv is not None and server else None
            self.audience.value = audience if audience in AUDIENCES else "(undeclared)"
            decl = inv.server(server) if inv is not None and server else None
            self.complete.value = bool(getattr(decl, "inventory_complete", False))
            names = [ta.tool for ta in self.assessment.tools_of(server or "")]
            self.tool.options = names
            self.tool.value = names[0] if names else None
            self._sync_tool_widgets()
        finally:
            self._quiet = False
        self._render()

    def _sync_tool_widgets(self) -> None:
        server, tool = self.server.value, self.tool.value
        decl = self.inventory.tool_decl(server, tool) if self.inventory is not None and tool else None
        cls = getattr(decl, "classification", None)
        effects = list(getattr(cls, "effects", ()) or ())
        self.override.value = max(effects, key=EFFECTS.index) if effects else _AS_CLASSIFIED
        self.disabled.value = bool(getattr(decl, "disabled", False))

    def _render(self) -> None:
        a = self.assessment
        server = self.server.value or ""
        try:
            v = a.verdict(server)
        except KeyError:
            v = None
        if v is not None:
            colour = _STATE_COLOUR.get(v.state, "#59636e")
            self.verdict_html.value = (
                f"<div class=\"mcprisk-verdict mcprisk-{_E(v.state)}\" style=\"border-left:6px solid {colour};"
                f"padding:4px 10px\"><b style=\"color:{colour}\" title=\"{_E(v.state)}\">{_E(v.label.upper())}</b> "
                f"{_E(v.summary)}" + (f"<br><small>decisive tools: {_E(', '.join(v.tools))}</small>" if v.tools else "")
                + "</div>")
        else:
            self.verdict_html.value = "<div class=\"mcprisk-verdict\">no verdict</div>"
        ceiling = self.ceiling_text()
        self.placement_html.value = (f"<p class=\"mcprisk-placement\"><b>{_E(self.placement_text())}</b></p>"
                                     + (f"<p class=\"mcprisk-ceiling\">{_E(ceiling)}</p>" if ceiling else ""))
        try:
            p = a.placement(server)
        except KeyError:
            p = None
        plan = p.split_plan if p is not None else None
        own = {tp.tool: tp for tp in p.tools} if p is not None else {}
        held = "; ".join(f"{h.tool} ({', '.join(describe(x, lower=True) for x in h.adds)})"
                         for h in p.held_back_by) if p is not None else ""
        self.split_html.value = (
            (f"<p class=\"mcprisk-held\">held back by: {_E(held)}</p>" if held else "")
            + (f"<p class=\"mcprisk-split\"><b>split plan ({_E(plan.target_pattern)}):</b> {_code(plan.text)}</p>"
               if plan is not None else "<p class=\"mcprisk-split\">no split plan applies</p>"))
        self.apply_split.disabled = plan is None

        def split_mark(name: str) -> str:
            if plan is None:
                return ""
            return " · move" if name in plan.move else " · keep" if name in plan.keep else ""

        marks = a.tool_marks()

        def mark(name: str) -> str:
            found = marks.get((server, name), ())
            return "".join(f" <b title=\"{_E(f.message)}\">⚑ {_E(f.title)} ({_E(f.code)})</b>" for f in found)

        rows = "".join(
            f"<tr><td>{_E(t.tool)}{mark(t.tool)}</td><td>{_E(t.primary)}</td><td>{_E(', '.join(t.flags))}</td>"
            f"<td title=\"{_E(own[t.tool].why) if t.tool in own else ''}\">"
            f"{_E(own[t.tool].recommended) if t.tool in own else ''}</td>"
            f"<td>{_E(t.confidence)}{' · disabled' if t.disabled else ''}{' · overridden' if t.overridden else ''}"
            f"{' · confirm: pick it above and set its effect' if t.unsettled else ''}"
            f"{split_mark(t.tool)}</td></tr>" for t in self.visible_tools())
        self.tools_html.value = ("<table><thead><tr><th>tool</th><th>primary</th><th>flags</th>"
                                 "<th>own placement</th><th></th></tr>"
                                 f"</thead><tbody>{rows}</tbody></table>")
        found = [f for f in a.findings if f.server == server or server in f.server.split("+")]
        counts = ", ".join(f"{sum(1 for f in found if f.severity == s)} {s}" for s in reversed(SEVERITIES))
        items = "".join(f"<li><b>{_E(f.severity)}</b> {_E(f.id)}: {_E(f.title)}</li>" for f in found[:15])
        self.findings_html.value = f"<p>findings: {_E(counts)}</p><ul>{items}</ul>"


def _code(text: str) -> str:
    """mcprisk's sentence, escaped, with the names it puts between backticks set as code."""
    parts = text.split("`")
    if len(parts) % 2 == 0:
        return _E(text)
    return "".join(f"<code>{_E(part)}</code>" if i % 2 else _E(part) for i, part in enumerate(parts))
