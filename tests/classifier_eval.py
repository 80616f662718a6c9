"""Measure the classifier against hand-labelled tools of real servers, the way reviewers do: whole snapshots
through ``assess()``, reading ``servers[].tools[].primary / effects / flags / confidence`` of the JSON report.

Splits, kept apart: ``dev`` (used for error analysis while tuning) and the held-out splits (``holdout3``, and any
further folder under ``tests/data/corpus/``: servers collected and labelled by readers who never saw the
classifier, measured once per round, never error-analysed). The first held-out splits, ``holdout`` (measured
once per round for five rounds), ``holdout2`` (for four), ``holdout4`` (twice, rounds 6 and 7), ``holdout5`` (round 8, three
times), ``holdout6`` (round 9, twice) and ``holdout7`` (round 10, twice), were then promoted into ``dev`` (their servers carry ``promoted_from``). Each split is read from two layouts (see ``tests/data/corpus/README.md``):

- ``tests/data/corpus/<split>/<slug>.snapshot.json`` + ``<slug>.labels.jsonl``: a full snapshot as
  ``mcprisk inspect --json -o`` writes it, and one rubric label per tool;
- the older JSON lines of ``tests/data/labelled/`` (dev; ``promoted.jsonl`` came from ``holdout``): tool
  definitions with their labels, turned into a minimal snapshot per server launched the way the package
  is published (``npx -y pkg@1.2.3``, ``uvx pkg@1.2.3``).

Generalisation is measured by cross-validation grouped by server (or by domain): each fold's servers are
assessed by a classifier fitted on the other folds only. The hand-written rules learn nothing from data; the
learned reading beside them (``mcprisk.classify.learned``) is trained again on each fold's other folds
(``learned_fit``), so a fold's servers are never seen by the model that reads them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcprisk.assessment import assess
from mcprisk.classify.learned import Model, use_model
from mcprisk.classify.training import DEFAULTS, examples, fit as fit_model
from mcprisk.model import EFFECTS, FLAGS, SEVERITIES, effect_rank
from mcprisk.render import expand_report, render_json, report_evidence
from mcprisk.snapshot import Snapshot, item_from_wire, load_snapshots
from mcprisk.specs import ServerSpec

DATA = Path(__file__).resolve().parent / "data"
LEGACY = {"dev": DATA / "labelled"}
CORPUS = DATA / "corpus"
# A split is a folder under tests/data/corpus/; adding a held-out split is adding its name here. holdout4 was promoted
# into dev in round 8, holdout5 in round 9, holdout6 in round 10 and holdout7 in round 11 (promoted_from); an eighth
# split is collected blind while round 11 is written.
SPLITS = ("dev", "holdout3", "holdout8")
HELD_OUT = tuple(s for s in SPLITS if s != "dev")
PROMOTED_LEGACY = {"promoted.jsonl": "holdout"}  # legacy files of dev that came from a promoted split


@dataclass(frozen=True)
class Label:
    """One tool's label by the rubric."""

    tool: str
    effects: frozenset[str]
    primary: str
    flags: frozenset[str]
    domain: str = "other"
    note: str = ""


@dataclass(frozen=True)
class LabelledServer:
    """A server's snapshot and the labels of its tools."""

    slug: str
    split: str
    snapshot: Snapshot
    labels: Mapping[str, Label]
    promoted_from: str = ""  # the held-out split it was measured in before it became development material

    @property
    def domain(self) -> str:
        """The domain most of its tools are labelled with."""
        return Counter(lb.domain for lb in self.labels.values()).most_common(1)[0][0]


@dataclass(frozen=True)
class Prediction:
    """What the JSON report says of one labelled tool."""

    server: str
    tool: str
    label: Label
    primary: str
    effects: tuple[str, ...]
    flags: frozenset[str]
    confidence: str
    evidence: tuple[Mapping[str, Any], ...] = ()
    annotations: Mapping[str, Any] = field(default_factory=dict)
    findings: Mapping[str, str] = field(default_factory=dict)  # code -> severity of the findings naming this tool


# --------------------------------------------------------------------------------------------
# Loading


def load_split(split: str) -> list[LabelledServer]:
    """Every labelled server of a split, from both layouts, sorted by slug."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}")
    servers = load_corpus(CORPUS / split, split)
    if split in LEGACY:
        servers += load_legacy(LEGACY[split], split)
    slugs = [s.slug for s in servers]
    dupes = sorted({s for s in slugs if slugs.count(s) > 1})
    if dupes:
        raise ValueError(f"{split}: servers labelled twice: {dupes}")
    return sorted(servers, key=lambda s: s.slug)


def _label(row: Mapping[str, Any], tool: str, domain: str | None = None) -> Label:
    effects = frozenset(row["effects"])
    primary = row["primary"]
    bad = (effects | {primary}) - set(EFFECTS) or frozenset(row.get("flags") or ()) - set(FLAGS)
    if bad or primary != max(effects, key=effect_rank):
        raise ValueError(f"{tool}: label does not follow the rubric ({sorted(bad) or 'primary'})")
    return Label(tool, effects, primary, frozenset(row.get("flags") or ()), domain or row.get("domain") or "other",
                 str(row.get("note") or ""))


@functools.lru_cache(maxsize=1)
def _promoted() -> dict[str, str]:
    """slug -> the split a corpus server was promoted from, read off ``MANIFEST.jsonl``."""
    out = {}
    for line in (CORPUS / "MANIFEST.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if row.get("promoted_from"):
                out[row["slug"]] = row["promoted_from"]
    return out


def load_corpus(folder: Path, split: str) -> list[LabelledServer]:
    out = []
    for path in sorted(folder.glob("*.snapshot.json")):
        slug = path.name[: -len(".snapshot.json")]
        snaps = load_snapshots(path)
        if len(snaps) != 1:
            raise ValueError(f"{path.name}: one snapshot per file")
        labels_path = folder / f"{slug}.labels.jsonl"
        rows = [json.loads(line) for line in labels_path.read_text(encoding="utf-8").splitlines() if line.strip()]
        labels = {r["tool"]: _label(r, r["tool"]) for r in rows}
        missing = sorted(set(labels) - {t.name for t in snaps[0].tools})
        if missing:
            raise ValueError(f"{slug}: labels for tools the snapshot does not have: {missing[:5]}")
        out.append(LabelledServer(slug, split, snaps[0], labels, _promoted().get(slug, "")))
    return out


def load_legacy(folder: Path, split: str) -> list[LabelledServer]:
    rows_by_server: dict[str, list[dict[str, Any]]] = {}
    promoted: dict[str, str] = {}
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                slug = r["server"].split(":", 1)[-1]
                rows_by_server.setdefault(slug, []).append(r)
                if path.name in PROMOTED_LEGACY:
                    promoted[slug] = PROMOTED_LEGACY[path.name]
    out = []
    for slug, rows in rows_by_server.items():
        tools, labels = [], {}
        for r in rows:
            if r["name"] in labels:
                continue
            raw = {"name": r["name"], "description": r["description"], "inputSchema": r["input_schema"] or {}}
            for key in ("title", "annotations"):
                if r.get(key):
                    raw[key] = r[key]
            tools.append(item_from_wire("tools", raw, max_text_chars=100_000))
            labels[r["name"]] = _label(r["label"], r["name"], r.get("domain"))
        spec = ServerSpec.stdio(launch_command(rows[0]["server"], rows[0].get("origin") or ""))
        out.append(LabelledServer(slug, split, Snapshot(server=spec, status="complete", tools=tuple(tools)), labels,
                                  promoted.get(slug, "")))
    return out


def launch_command(server: str, origin: str) -> list[str]:
    """The public launch command of a labelled server, as an operator's client config would hold it:
    ``npx -y pkg@1.2.3 [args]`` for npm, ``uvx pkg@1.2.3`` for PyPI (``npx -y @scope/pkg`` when the origin
    names the package without a version), the program for a repository."""
    m = re.match(r"introspected\s+(\S+)((?:\s+--?\S+(?:\s+[^\s(-]\S*)?)*)", origin) or \
        re.match(r"(?:npm|pypi):(\S+)()(?:\s|$)", origin)  # "npm:@scope/pkg (tools/list, …)": listed, no version
    kind = server.split(":", 1)[0] if ":" in server else ""
    if m:
        package, args = m.group(1), m.group(2).split()
        if kind == "pypi":
            return ["uvx", package, *args]
        return ["npx", "-y", package, *args]
    return [server.split(":", 1)[-1].rsplit("/", 1)[-1]]


def package_of(server: LabelledServer) -> str:
    """The registry and package (or program, or host) a server's launch command runs, without its version:
    ``npm:@stripe/mcp``, ``pypi:mcp-server-git``. Options and their values (``uvx --with 'mcp<2' pkg``) are
    skipped; the runner names the registry, since one name can be two projects on npm and PyPI."""
    spec = server.snapshot.server
    if spec.url:
        return re.sub(r"^https?://", "", spec.url).split("/", 1)[0]
    registry = {"npx": "npm", "bunx": "npm", "pnpx": "npm", "uvx": "pypi", "pipx": "pypi"}.get(
        Path(spec.command or "").name, Path(spec.command or "").name)
    args = list(spec.args)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("--with", "--from", "-p", "--package", "--python"):
            if arg in ("--from", "-p", "--package") and i + 1 < len(args):
                return f"{registry}:" + re.sub(r"(?<=.)(@|==)[^/@=]*$", "", args[i + 1])
            i += 2
            continue
        if not arg.startswith("-") and arg not in ("run", "exec", "x", "tool"):
            return f"{registry}:" + re.sub(r"(?<=.)(@|==)[^/@=]*$", "", arg)
        i += 1
    return spec.command or server.slug


# --------------------------------------------------------------------------------------------
# Predicting and scoring

Assessor = Callable[[Sequence[Snapshot]], Any]


def predict(servers: Iterable[LabelledServer], assessor: Assessor = assess) -> list[Prediction]:
    """Assess each server on its own, as a scan would, and read the labelled tools off the JSON report."""
    out = []
    for server in servers:
        report = expand_report(json.loads(render_json(assessor([server.snapshot]))))
        (body,) = report["servers"]
        codes: dict[str, dict[str, str]] = {}
        for f in report["findings"]:
            for key in f.get("tools") or ():
                mine = codes.setdefault(key.split("/", 1)[-1], {})
                mine[f["code"]] = max(mine.get(f["code"], "info"), f["severity"], key=SEVERITIES.index)
        hints = {t.name: dict(t.annotations or {}) for t in server.snapshot.tools}
        for tool in body["tools"]:
            label = server.labels.get(tool["name"])
            if label is not None:
                out.append(Prediction(server.slug, tool["name"], label, tool["primary"], tuple(tool["effects"]),
                                      frozenset(tool["flags"]), tool["confidence"],
                                      tuple(report_evidence(report, tool["evidence"])),
                                      hints.get(tool["name"], {}), codes.get(tool["name"], {})))
    return out


ANN_CONTRADICTS: dict[str, tuple[Callable[[Mapping[str, Any]], bool], Callable[[Label], bool]]] = {
    # code: (the tools whose hint the finding tests, whether the label contradicts that hint)
    "ANN001": (lambda ann: ann.get("readOnlyHint") is True, lambda lb: lb.primary != "read_only"),
    "ANN002": (lambda ann: ann.get("destructiveHint") is False and ann.get("readOnlyHint") is not True,
               lambda lb: "destructive" in lb.effects),
}


@dataclass
class Report:
    """The figures of one measurement."""

    predictions: list[Prediction] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"Report({self.n} tools)"

    @property
    def n(self) -> int:
        return len(self.predictions)

    def _share(self, hits: Iterable[bool], of: Iterable[bool]) -> float:
        pairs = [(h, o) for h, o in zip(hits, of) if o]
        return sum(h for h, _ in pairs) / len(pairs) if pairs else 0.0

    @property
    def exact_rate(self) -> float:
        return self._share((p.primary == p.label.primary for p in self.predictions), [True] * self.n)

    def _under(self, p: Prediction) -> bool:
        return effect_rank(p.primary) < effect_rank(p.label.primary)

    @property
    def under_rate(self) -> float:
        return self._share(map(self._under, self.predictions), [True] * self.n)

    @property
    def under_high_rate(self) -> float:
        """Under-classified while marked ``high``: the confidently wrong error an architect would act on."""
        return self._share((self._under(p) and p.confidence == "high" for p in self.predictions), [True] * self.n)

    @property
    def destructive_recall(self) -> float:
        return self._share((p.primary == "destructive" for p in self.predictions),
                           (p.label.primary == "destructive" for p in self.predictions))

    @property
    def mutating_recall(self) -> float:
        return self._share((p.primary != "read_only" for p in self.predictions),
                           (p.label.primary != "read_only" for p in self.predictions))

    @property
    def mutating_precision(self) -> float:
        return self._share((p.label.primary != "read_only" for p in self.predictions),
                           (p.primary != "read_only" for p in self.predictions))

    def flag_counts(self, flag: str) -> tuple[int, int, int]:
        """(true positives, false positives, false negatives) of one flag."""
        tp = sum(flag in p.flags and flag in p.label.flags for p in self.predictions)
        fp = sum(flag in p.flags and flag not in p.label.flags for p in self.predictions)
        fn = sum(flag not in p.flags and flag in p.label.flags for p in self.predictions)
        return tp, fp, fn

    def f1(self, flag: str) -> float:
        tp, fp, fn = self.flag_counts(flag)
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    def ann_counts(self, code: str, min_severity: str = "high") -> tuple[int, int, int]:
        """(true, false, missed) accusations of an annotation finding at ``min_severity`` or above, against
        the labels. ANN001 is true when a tool hinted ``readOnlyHint: true`` is labelled as changing
        something; ANN002 when a tool hinted ``destructiveHint: false`` (and not read-only) is labelled
        destructive. High is the accusation that makes a server ``do_not_use``; lower is a doubt."""
        if code not in ANN_CONTRADICTS:
            raise ValueError(f"no label reading for {code}")
        hinted, lies = ANN_CONTRADICTS[code]
        chosen = [p for p in self.predictions if hinted(p.annotations)]
        floor = SEVERITIES.index(min_severity)
        accused = [code in p.findings and SEVERITIES.index(p.findings[code]) >= floor for p in chosen]
        tp = sum(a and lies(p.label) for a, p in zip(accused, chosen))
        fp = sum(a and not lies(p.label) for a, p in zip(accused, chosen))
        fn = sum(not a and lies(p.label) for a, p in zip(accused, chosen))
        return tp, fp, fn

    def ann_precision(self, code: str, min_severity: str = "high") -> float:
        """The share of a code's accusations the labels bear out (1.0 when it accuses nobody)."""
        tp, fp, _ = self.ann_counts(code, min_severity)
        return tp / (tp + fp) if tp + fp else 1.0

    def confidence_mix(self) -> dict[str, tuple[int, float]]:
        """Per confidence: how many tools, and the share whose primary effect is exact."""
        out = {}
        for level in ("high", "medium", "low", "contested"):
            chosen = [p for p in self.predictions if p.confidence == level]
            out[level] = (len(chosen), sum(p.primary == p.label.primary for p in chosen) / len(chosen)
                          if chosen else 0.0)
        return out

    @property
    def misses(self) -> list[Prediction]:
        return [p for p in self.predictions if p.primary != p.label.primary or p.flags != p.label.flags]

    def figures(self) -> dict[str, float]:
        """The headline figures by name (the issue's targets use these names)."""
        out = {"exact": self.exact_rate, "under": self.under_rate, "under_high": self.under_high_rate,
               "destructive_recall": self.destructive_recall, "mutating_recall": self.mutating_recall,
               "mutating_precision": self.mutating_precision}
        out.update({f"f1_{flag}": self.f1(flag) for flag in FLAGS})
        out.update({f"precision_{code}": self.ann_precision(code) for code in ANN_CONTRADICTS})
        return out

    def summary(self, title: str) -> str:
        servers = len({p.server for p in self.predictions})
        lines = [f"{title}: {self.n} tools of {servers} servers: exact primary {self.exact_rate:.1%}, "
                 f"under-classified {self.under_rate:.1%} (while high {self.under_high_rate:.1%}), "
                 f"destructive recall {self.destructive_recall:.1%}, mutating recall {self.mutating_recall:.1%}, "
                 f"mutating precision {self.mutating_precision:.1%}"]
        lines.append("  flag F1: " + ", ".join(f"{flag} {self.f1(flag):.2f}" for flag in FLAGS))
        lines.append("  confidence: " + ", ".join(f"{level} {n} ({exact:.0%} exact)"
                                                  for level, (n, exact) in self.confidence_mix().items()))
        lines.append("  annotation accusations (high): " + ", ".join(
            f"{code} precision {self.ann_precision(code):.2f} ({tp} true, {fp} false, {fn} missed)"
            for code in ANN_CONTRADICTS for tp, fp, fn in [self.ann_counts(code)])
            + "; with the medium doubts: " + ", ".join(
            f"{code} {self.ann_precision(code, 'medium'):.2f} ({tp} true, {fp} false)"
            for code in ANN_CONTRADICTS for tp, fp, _ in [self.ann_counts(code, "medium")]))
        return "\n".join(lines)


def evaluate(servers: Sequence[LabelledServer], assessor: Assessor = assess) -> Report:
    """The figures of the classifier as it is (the fit, when ``servers`` are the development set)."""
    return Report(predict(servers, assessor))


# --------------------------------------------------------------------------------------------
# A blind slice of the development set

BLIND_SEED = "classify2-blind"


def blind_slice(servers: Sequence[LabelledServer], *, every: int = 5, seed: str = BLIND_SEED
                ) -> tuple[list[LabelledServer], list[LabelledServer]]:
    """(tuning servers, blind servers): every ``every``-th server in an order sorted by domain, then by a
    seeded hash of the slug, goes into the blind slice, so it spreads over domains in proportion. The blind
    slice is never error-analysed: its figures estimate how the rules tuned on the rest do on servers not
    looked at. Changing ``seed`` draws a new slice (do so once the current one has been read). The draw is over
    the servers that were always development material: promoted servers (``promoted_from``) join the tuning
    part, so promoting a split leaves the blind slice's membership as it was."""
    drawn = [s for s in servers if not s.promoted_from]
    order = sorted(drawn, key=lambda s: (s.domain, hashlib.sha256(f"{seed}:{s.slug}".encode()).hexdigest()))
    blind = {s.slug for i, s in enumerate(order) if i % every == every // 2}
    return [s for s in servers if s.slug not in blind], [s for s in servers if s.slug in blind]


# --------------------------------------------------------------------------------------------
# Cross-validation grouped by server or by domain

Fit = Callable[[Sequence[LabelledServer]], Assessor]


def rules_only(train: Sequence[LabelledServer]) -> Assessor:
    """The hand-written rules alone (no learned reading): they learn nothing from the training folds."""
    del train
    return with_model(None)


def with_model(model: Model | None) -> Assessor:
    """``assess`` consulting ``model`` (None: the rules alone) instead of the packaged weights."""

    def assessor(snapshots: Sequence[Snapshot]) -> Any:
        with use_model(model):
            return assess(snapshots)

    return assessor


@functools.lru_cache(maxsize=64)
def _trained(slugs: tuple[str, ...], split: str) -> Model:
    by_slug = {s.slug: s for s in load_split(split)}
    return fit_model([examples(by_slug[slug].snapshot, by_slug[slug].labels, slug) for slug in slugs], DEFAULTS)


def learned_fit(train: Sequence[LabelledServer]) -> Assessor:
    """The rules with a learned reading trained on ``train`` only (the shipped settings; cached per training set,
    since the suite cross-validates the same folds more than once)."""
    splits = {s.split for s in train}
    if len(splits) != 1:
        raise ValueError("train on one split")
    return with_model(_trained(tuple(s.slug for s in train), splits.pop()))


def folds(servers: Sequence[LabelledServer], k: int = 5, *, seed: int = 12, by: str = "server"
          ) -> list[list[LabelledServer]]:
    """``k`` folds of whole groups (a server, or all servers of a domain), shuffled with ``seed``, balanced
    by tool count (largest group first into the lightest fold)."""
    if by not in ("server", "domain"):
        raise ValueError("by must be 'server' or 'domain'")
    groups: dict[str, list[LabelledServer]] = {}
    for s in servers:
        groups.setdefault(s.slug if by == "server" else s.domain, []).append(s)
    keys = sorted(groups)
    random.Random(seed).shuffle(keys)
    keys.sort(key=lambda g: -sum(len(s.labels) for s in groups[g]))  # stable: ties keep the shuffled order
    out: list[list[LabelledServer]] = [[] for _ in range(k)]
    for g in keys:
        lightest = min(range(k), key=lambda i: (sum(len(s.labels) for s in out[i]), i))
        out[lightest].extend(groups[g])
    return [f for f in out if f]


FIT: Fit = learned_fit  # what the suite and scripts/classifier_quality.py cross-validate


def cross_validate(servers: Sequence[LabelledServer], fit: Fit = FIT, *, k: int = 5, seed: int = 12,
                   by: str = "server") -> Report:
    """Each fold assessed by a classifier fitted on the other folds: figures on servers it has not seen."""
    report = Report()
    parts = folds(servers, k, seed=seed, by=by)
    for i, test in enumerate(parts):
        train = [s for j, part in enumerate(parts) if j != i for s in part]
        report.predictions.extend(predict(test, fit(train)))
    return report
