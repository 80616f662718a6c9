"""The explorer's inventory editor: every question placement asks of the operator, answerable in the widget.

For the chosen server: its stage, tenants, why it would be remote, whether a managed alternative exists, whether it
proxies third-party APIs (and whether that was reviewed), and whether its credentials and data stores are fully
listed; then each credential (kind, scope, kept safely, used by every tool or some) and each data store (holds
customer data, reached by every tool or some). The editor only reads and writes an ``Inventory``; placement
is worked out by ``reassess``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import ipywidgets as widgets
import traitlets

from ..inventory import Credential, DataStore, Inventory, ManagedAlternative, RemoteReason

__all__ = ["CredentialRow", "DataStoreRow", "InventoryEditor", "MultiCheck"]

UNSET = "(undeclared)"
NOT_DESCRIBED = "(not described)"
KINDS = ("static_api_key", "service_account", "per_user_oauth", "none")
SCOPES = ("narrow", "broad", "admin")
REASONS = ("convenience", "team_sharing", "partner_integration", "saas_product", "other")
_WIDE = widgets.Layout(width="auto")
_ROW = widgets.Layout(flex_flow="row wrap", align_items="center")  # a narrow notebook wraps a row, never clips it


class MultiCheck(widgets.HBox):
    """Several options, each a checkbox, all visibly on or off (a selected-everything list looks disabled).
    ``value`` is the tuple of ticked options, settable like a SelectMultiple's."""

    value = traitlets.Tuple()

    def __init__(self, options: Sequence[str], value: Sequence[str] = (), description: str = "") -> None:
        self.options = tuple(options)
        self.boxes = {o: widgets.Checkbox(value=o in value, description=o.replace("_", " "), indent=False,
                                          layout=widgets.Layout(width="auto", margin="0 10px 0 0"))
                      for o in self.options}
        head = [widgets.Label(description, layout=widgets.Layout(width="64px"))] if description else []
        super().__init__([*head, *self.boxes.values()])
        self.value = tuple(o for o in self.options if o in value)
        for box in self.boxes.values():
            box.observe(self._from_boxes, names="value")
        self.observe(self._to_boxes, names="value")

    def _from_boxes(self, _change: Any) -> None:
        self.value = tuple(o for o, b in self.boxes.items() if b.value)

    def _to_boxes(self, change: Any) -> None:
        for o, b in self.boxes.items():
            b.value = o in change["new"]


class CredentialRow(widgets.HBox):
    """One credential of the server: how it is described in the inventory (not described until a kind is set)."""

    def __init__(self, name: str, tools: Sequence[str], on_change: Callable[[Any], None]) -> None:
        self.name = name
        self.kind = widgets.Dropdown(options=[NOT_DESCRIBED, *KINDS], value=NOT_DESCRIBED,
                                     layout=widgets.Layout(width="140px"))
        self.scope = widgets.Dropdown(options=["(scope unknown)", *SCOPES], value="(scope unknown)",
                                      layout=widgets.Layout(width="125px"))
        self.kept = widgets.Checkbox(value=False, description="in a secrets store, rotated", indent=False,
                                     layout=_WIDE)
        self.shared = widgets.Checkbox(value=True, description="every tool uses it", indent=False, layout=_WIDE)
        self.tools = widgets.SelectMultiple(options=list(tools), value=(), rows=min(4, max(1, len(tools))),
                                            layout=widgets.Layout(width="200px", display="none"))
        label = widgets.HTML(f"<code>{_esc(name)}</code>", layout=widgets.Layout(width="180px"))
        super().__init__([label, self.kind, self.scope, self.kept, self.shared, self.tools], layout=_ROW)
        self.add_class("mcprisk-credential")
        for w in (self.kind, self.scope, self.kept, self.shared, self.tools):
            w.observe(on_change, names="value")
        self.shared.observe(lambda c: setattr(self.tools.layout, "display", "none" if c["new"] else ""),
                            names="value")

    def load(self, decl: Credential | None) -> None:
        self.kind.value = decl.kind if decl is not None and decl.kind in KINDS else NOT_DESCRIBED
        self.scope.value = decl.breadth if decl is not None and decl.breadth in SCOPES else "(scope unknown)"
        self.kept.value = bool(decl is not None and decl.well_kept)
        self.shared.value = decl is None or not decl.tools
        self.tools.value = tuple(t for t in (decl.tools if decl is not None else ()) if t in self.tools.options)

    def declaration(self, server: str, before: Credential | None) -> Credential | None:
        """The inventory entry the row says, or None when the credential is left undescribed."""
        if self.kind.value == NOT_DESCRIBED:
            return None
        servers = tuple(sorted({server, *(before.servers if before is not None else ())}))
        return Credential(self.name, servers, tools=() if self.shared.value else tuple(self.tools.value),
                          kind=self.kind.value, breadth=None if self.scope.value not in SCOPES else self.scope.value,
                          storage="secrets_manager" if self.kept.value else "unknown",
                          rotation="automatic" if self.kept.value else "unknown",
                          note=before.note if before is not None else None)


class DataStoreRow(widgets.HBox):
    """One data store of the server: whether the inventory lists it, whether it holds customer data, who reaches it."""

    def __init__(self, name: str, tools: Sequence[str], on_change: Callable[[Any], None]) -> None:
        self.name = name
        self.listed = widgets.Checkbox(value=False, description=name, indent=False,
                                       layout=widgets.Layout(width="190px"))
        self.customer = widgets.Checkbox(value=False, description="holds customer data", indent=False, layout=_WIDE)
        self.shared = widgets.Checkbox(value=True, description="every tool reaches it", indent=False, layout=_WIDE)
        self.tools = widgets.SelectMultiple(options=list(tools), value=(), rows=min(4, max(1, len(tools))),
                                            layout=widgets.Layout(width="200px", display="none"))
        super().__init__([self.listed, self.customer, self.shared, self.tools], layout=_ROW)
        self.add_class("mcprisk-datastore")
        for w in (self.listed, self.customer, self.shared, self.tools):
            w.observe(on_change, names="value")
        self.shared.observe(lambda c: setattr(self.tools.layout, "display", "none" if c["new"] else ""),
                            names="value")

    def load(self, decl: DataStore | None) -> None:
        self.listed.value = decl is not None
        self.customer.value = decl is not None and decl.classification == "customer_pii"
        self.shared.value = decl is None or not decl.tools
        self.tools.value = tuple(t for t in (decl.tools if decl is not None else ()) if t in self.tools.options)

    def declaration(self, server: str, before: DataStore | None) -> DataStore | None:
        if not self.listed.value:
            return None
        servers = tuple(sorted({server, *(before.servers if before is not None else ())}))
        keep = before.classification if before is not None and before.classification != "customer_pii" else "internal"
        return DataStore(self.name, "customer_pii" if self.customer.value else keep, servers,
                         tools=() if self.shared.value else tuple(self.tools.value),
                         access=before.access if before is not None else (),
                         note=before.note if before is not None else None)


def _esc(text: str) -> str:
    import html

    return html.escape(text)


def _choice(value: Any, options: Sequence[str]) -> str:
    return value if value in options else UNSET


class InventoryEditor(widgets.VBox):
    """The server's inventory answers as widgets. ``load`` shows an inventory; ``apply`` writes the widgets' answers
    into one; every change calls ``on_change`` (not while loading)."""

    def __init__(self, on_change: Callable[[], None]) -> None:
        self._on_change, self._quiet = on_change, False
        dd = dict(style={"description_width": "140px"}, layout=widgets.Layout(width="310px"))
        self.stage = widgets.Dropdown(options=[UNSET, "experimental", "production"], description="stage", **dd)
        self.tenants = widgets.Dropdown(options=[UNSET, "single", "multi"], description="tenants", **dd)
        self.remote_reason = widgets.Dropdown(options=[UNSET, *REASONS], description="why remote", **dd)
        self.managed = widgets.Dropdown(options=[UNSET, "none exists", "one exists"],
                                        description="managed alternative", **dd)
        self.proxies = widgets.Dropdown(options=[UNSET, "no", "yes"], description="proxies third-party APIs", **dd)
        self.reviewed = widgets.Checkbox(value=False, description="third-party consent reviewed", indent=False,
                                         layout=_WIDE)
        self.complete = widgets.Checkbox(value=False, description="credentials and data stores fully listed",
                                         indent=False, layout=_WIDE)
        self.credentials = widgets.VBox([])
        self.data_stores = widgets.VBox([])
        self.new_store = widgets.Text(placeholder="data store name", layout=widgets.Layout(width="190px"))
        self.add_store = widgets.Button(description="add data store", icon="plus")
        self.new_credential = widgets.Text(placeholder="credential name", layout=widgets.Layout(width="190px"))
        self.add_credential = widgets.Button(description="add credential", icon="plus")
        self._tools: tuple[str, ...] = ()
        for w in (self.stage, self.tenants, self.remote_reason, self.managed, self.proxies, self.reviewed,
                  self.complete):
            w.observe(self._changed, names="value")
        self.add_store.on_click(lambda _b: self.add_data_store_row(self.new_store.value.strip()))
        self.add_credential.on_click(lambda _b: self.add_credential_row(self.new_credential.value.strip()))
        super().__init__([
            widgets.HBox([widgets.VBox([self.stage, self.tenants, self.remote_reason]),
                          widgets.VBox([self.managed, self.proxies, self.reviewed, self.complete])]),
            widgets.HTML("<b>Credentials</b> <small>(kind, scope, how it is kept, which tools use it)</small>"),
            self.credentials, widgets.HBox([self.new_credential, self.add_credential]),
            widgets.HTML("<b>Data stores</b> <small>(listed in the inventory, customer data, who reaches it)</small>"),
            self.data_stores, widgets.HBox([self.new_store, self.add_store]),
        ])

    # -- rows ---------------------------------------------------------------------------------------

    def credential_row(self, name: str) -> CredentialRow:
        return next(r for r in self.credentials.children if r.name == name)

    def data_store_row(self, name: str) -> DataStoreRow:
        return next(r for r in self.data_stores.children if r.name == name)

    def add_credential_row(self, name: str) -> CredentialRow | None:
        if not name or any(r.name == name for r in self.credentials.children):
            return None
        row = CredentialRow(name, self._tools, self._changed)
        self.credentials.children = (*self.credentials.children, row)
        self.new_credential.value = ""
        return row

    def add_data_store_row(self, name: str) -> DataStoreRow | None:
        if not name or any(r.name == name for r in self.data_stores.children):
            return None
        row = DataStoreRow(name, self._tools, self._changed)
        self.data_stores.children = (*self.data_stores.children, row)
        self.new_store.value = ""
        return row

    # -- syncing ------------------------------------------------------------------------------------

    def _changed(self, _change: Any = None) -> None:
        if not self._quiet:
            self._on_change()

    def load(self, inventory: Inventory, server: str, credentials: Sequence[str], stores: Sequence[str],
             tools: Sequence[str]) -> None:
        """Show ``inventory``'s answers for ``server``: a row per credential the tools can use or the inventory
        names, and per data store the inventory lists or the server's service implies."""
        self._quiet = True
        try:
            self._tools = tuple(tools)
            decl = inventory.server(server)
            self.stage.value = _choice(inventory.stage(server), self.stage.options)
            self.tenants.value = _choice(inventory.tenants(server), self.tenants.options)
            reason = inventory.remote_reason(server)
            self.remote_reason.value = _choice(reason.reason if reason else None, self.remote_reason.options)
            managed = inventory.managed_alternative(server)
            self.managed.value = UNSET if managed is None else ("one exists" if managed.available else "none exists")
            proxies = decl.proxies_third_party if decl is not None else None
            self.proxies.value = UNSET if proxies is None else ("yes" if proxies else "no")
            self.reviewed.value = bool(decl and decl.third_party_consent_reviewed)
            self.complete.value = bool(decl and decl.inventory_complete)
            names = sorted({*credentials, *(c.name for c in inventory.credentials_for(server))})
            self.credentials.children = tuple(CredentialRow(n, tools, self._changed) for n in names)
            for row in self.credentials.children:
                row.load(inventory.credential(row.name))
            stores = sorted({*stores, *(d.name for d in inventory.data_stores_for(server))})
            self.data_stores.children = tuple(DataStoreRow(n, tools, self._changed) for n in stores)
            for row in self.data_stores.children:
                row.load(next((d for d in inventory.data_stores if d.name == row.name), None))
        finally:
            self._quiet = False

    def apply(self, inventory: Inventory, server: str) -> Inventory:
        """``inventory`` with the widgets' answers for ``server``."""
        def pick(w: widgets.Dropdown) -> Any:
            return None if w.value == UNSET else w.value

        reason = pick(self.remote_reason)
        managed = pick(self.managed)
        proxies = pick(self.proxies)
        inv = inventory.with_server_setting(
            server, stage=pick(self.stage), tenants=pick(self.tenants),
            remote_reason=RemoteReason(reason=reason) if reason else None,
            managed_alternative=ManagedAlternative(available=managed == "one exists") if managed else None,
            proxies_third_party=None if proxies is None else proxies == "yes",
            third_party_consent_reviewed=self.reviewed.value or None,
            inventory_complete=self.complete.value or None)
        for row in self.credentials.children:
            before = inv.credential(row.name)
            decl = row.declaration(server, before)
            inv = inv.with_credential(decl) if decl is not None else _drop(inv, before, server, "credential")
        for row in self.data_stores.children:
            before = next((d for d in inv.data_stores if d.name == row.name), None)
            decl = row.declaration(server, before)
            inv = inv.with_data_store(decl) if decl is not None else _drop(inv, before, server, "data_store")
        return inv


def _drop(inv: Inventory, before: Any, server: str, kind: str) -> Inventory:
    """The inventory without ``server``'s use of a credential or data store (other servers keep theirs)."""
    if before is None or server not in before.servers:
        return inv
    rest = tuple(s for s in before.servers if s != server)
    if kind == "credential":
        return inv.with_credential(replace(before, servers=rest)) if rest else inv.without_credential(before.name)
    return inv.with_data_store(replace(before, servers=rest)) if rest else inv.without_data_store(before.name)
