"""责任 edges: who is responsible for each task (牵头 lead, 配合 support, 主责 default owner).

Agency mentions are normalised within the plan's region: in the Anhui plan "省市场监管局" is
安徽省市场监督管理局; an explicit region name wins; national bodies are never localised. Names that
differ only by region prefix are different bodies (浙江省X ≠ 江苏省X) because the region is part of the id.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from spacy.tokens import Doc

from .models import ITEM_LABELS, PLAN, RESPONSIBLE, Agency, Edge, Graph, Node, is_loaded, stable_id
from .nlp import agency_config, agency_regex, docs
from .normalize import to_match
from .regions import resolve_region

DEFAULT_EVIDENCE = "默认：部门专项规划的任务由编制部门负责（正文未另行指定）"


@dataclass(frozen=True, slots=True)
class AgencyRef:
    name: str  # full canonical name, e.g. 安徽省市场监督管理局
    region: str | None
    printed: str
    generic: bool = False

    @property
    def id(self) -> str:
        return stable_id("agency", self.region or "", self.name)


def _canonical(alias: str, table: str) -> str:
    for a in agency_config()[table]:
        if alias in a["aliases"]:
            return a["name"]
    return alias


def resolve_mention(parts: dict[str, str], printed: str, plan_region: str | None) -> AgencyRef | None:
    """Normalise one agency mention (the AGENCY span's named groups and text) relative to the plan's region."""
    if parts.get("national"):
        return AgencyRef(_canonical(parts["national"], "national"), "中国", printed)
    if parts.get("generic"):
        return AgencyRef(parts["generic"], plan_region, printed, generic=True)
    prefix, alias = parts.get("prefix"), parts["local"]
    base = _canonical(alias, "agency")
    region = plan_region
    if prefix and len(prefix) > 1:  # "会同省" is a verb + 省: try the shorter tails of the prefix
        tails = [prefix[k:] for k in range(len(prefix))]
        k = next((k for k, t in enumerate(tails[:-1]) if resolve_region(t)), None)
        if k is not None:
            region = resolve_region(tails[k]).name
            printed = tails[k] + alias
            return AgencyRef(f"{region}{base}" if base != region else base, region, printed)
        else:
            prefix = tails[-1] if tails[-1] in "省市县区" else None
            if prefix is None:
                return None
    if prefix and plan_region:
        pr = resolve_region(plan_region)
        chain = {x.level: x.name for x in pr.chain()} if pr else {}
        level = {"省": "province", "市": "city", "县": "county", "区": "county"}[prefix]
        region = chain.get(level, plan_region)
    elif not prefix and region == plan_region and not (parts.get("prefix") or "").strip():
        return None  # a bare "市场监管部门" names a kind of body, not one body
    return AgencyRef(f"{region}{base}" if region and base != region else base, region, (prefix or "") + alias)


def mentions(text: str, plan_region: str | None) -> list[tuple[AgencyRef, str]]:
    """(agency, role) for agencies the text assigns a role to; unassigned mentions are ignored."""
    return roles_in(next(iter(docs([text]))), plan_region)


def roles_in(doc: Doc, plan_region: str | None) -> list[tuple[AgencyRef, str]]:
    """Read AGENCY and RESPONSIBILITY spans of *doc*: the role comes from where a cue sits next to the agency."""
    cfg = agency_config()["roles"]
    cues = [(sp.label_, *sp._.exact) for sp in doc.spans["RESPONSIBILITY"]]
    text = doc.text
    out: list[tuple[AgencyRef, str]] = []
    for sp in doc.spans["AGENCY"]:
        ref = resolve_mention(sp._.parts, text[slice(*sp._.exact)], plan_region)
        if ref is None:
            continue
        end = sp._.exact[1]
        start = end - len(ref.printed)  # "会同省发展改革委": the mention is 省发展改革委, 会同 is a cue

        def cue(kind: str, ok) -> bool:
            return any(k == kind and ok(s, e) for k, s, e in cues)

        gap_ok = lambda s: 0 <= s - end <= cfg["lead_after_gap"] and not any(c in text[end:s] for c in cfg["gap_stops"])  # noqa: E731
        if cue("support_before", lambda s, e: e == start) or cue(
                "support_after", lambda s, e: s >= end and text[end:s] in ("", *cfg["support_after_skip"])):
            out.append((ref, "配合"))
        elif cue("lead_before", lambda s, e: e == start) or cue("lead_after", lambda s, e: gap_ok(s)):
            out.append((ref, "牵头"))
    return out


def default_owner(plan: Node) -> AgencyRef | None:
    """The body a department plan's tasks belong to by default (主责)."""
    region = plan.props.get("region")
    title = to_match(plan.props.get("title") or "")
    for word, body in agency_config()["owner"].items():
        if word in title and region:
            return AgencyRef(f"{region}{body}", region, f"{region}{body}")
    issuer = plan.props.get("issuer")
    return AgencyRef(issuer, region, issuer) if issuer else None


def assign_responsibility(graph: Graph) -> None:
    """Add Agency nodes and 责任 edges for every loaded plan's tasks and projects.

    One ``nlp.pipe`` over the item texts that mention an agency at all: jieba segmentation costs ~2 ms per
    item, and an item without an agency pattern gets no span to read (same result, seed build not slower).
    """
    plans = {n.id: n for n in graph.by_label(PLAN) if is_loaded(n)}
    items = [n for n in graph.nodes.values() if n.label in ITEM_LABELS and n.props.get("plan") in plans]
    named = [n for n in items if agency_regex().search(n.props.get("text") or "")]
    explicit = dict(zip((n.id for n in named), _docs(n.props.get("text") or "" for n in named)))
    for node in items:
        plan = plans[node.props["plan"]]
        doc = explicit.get(node.id)
        for ref, role in roles_in(doc, plan.props.get("region")) if doc is not None else ():
            _add_agency(graph, ref)
            if graph.edge(RESPONSIBLE, ref.id, node.id) is None:
                graph.add_edge(Edge(RESPONSIBLE, ref.id, node.id, {"role": role, "evidence": _evidence(node, ref.printed)}))
        owner = default_owner(plan)
        if owner and graph.edge(RESPONSIBLE, owner.id, node.id) is None:
            _add_agency(graph, owner)
            graph.add_edge(Edge(RESPONSIBLE, owner.id, node.id, {"role": "主责", "evidence": DEFAULT_EVIDENCE}))


def _docs(texts: Iterable[str]) -> list[Doc]:
    return list(docs(list(texts)))


def _add_agency(graph: Graph, ref: AgencyRef) -> None:
    aliases = sorted({ref.printed} - {""})
    graph.add_node(Agency(ref.id, ref.name, ref.region, aliases, "generic" if ref.generic else "body").to_node())


def _evidence(node: Node, printed: str) -> str:
    text = node.props.get("text") or ""
    i = text.find(printed)
    if i < 0:
        return printed
    start = max(text.rfind("。", 0, i), text.rfind("；", 0, i)) + 1
    end = min([j for j in (text.find("。", i), text.find("；", i)) if j >= 0] or [len(text)])
    return text[start:end + 1].strip()
