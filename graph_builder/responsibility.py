"""责任 edges: who is responsible for each task (牵头 lead, 配合 support, 主责 default owner).

Agency mentions are normalised within the plan's region: in the Anhui plan "省市场监管局" is
安徽省市场监督管理局; an explicit region name wins; national bodies are never localised. Names that
differ only by region prefix are different bodies (浙江省X ≠ 江苏省X) because the region is part of the id.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .models import Agency, Edge, Graph, Node, stable_id
from .nlp import agency_config, agency_regex, get_nlp
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


def resolve_mention(m: re.Match, plan_region: str | None) -> AgencyRef | None:
    """Normalise one agency mention relative to the plan's region."""
    if m.group("national"):
        return AgencyRef(_canonical(m.group("national"), "national"), "中国", m.group(0))
    if m.group("generic"):
        return AgencyRef(m.group("generic"), plan_region, m.group(0), generic=True)
    prefix, alias = m.group("prefix"), m.group("local")
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
    elif not prefix and region == plan_region and not (m.group("prefix") or "").strip():
        return None  # a bare "市场监管部门" names a kind of body, not one body
    return AgencyRef(f"{region}{base}" if region and base != region else base, region, (prefix or "") + alias)


def mentions(text: str, plan_region: str | None) -> list[tuple[AgencyRef, str]]:
    """(agency, role) for agencies the text assigns a role to; unassigned mentions are ignored."""
    roles = agency_config()["roles"]
    if not agency_regex().search(text):
        return []  # most items name no agency: skip the tokenizer
    doc = get_nlp()(text)
    out: list[tuple[AgencyRef, str]] = []
    for ent in doc.ents:
        if ent.label_ != "AGENCY":
            continue
        m = agency_regex().search(ent.text)  # spans are token-aligned ("由省发展改革委"); find the mention inside
        if not m:
            continue
        ref = resolve_mention(m, plan_region)
        if ref is None:
            continue
        end = ent.start_char + m.end()
        start = end - len(ref.printed)
        before, after = text[max(0, start - 4):start], text[end:end + 10]
        if re.search(roles["support_before"], before) or re.match(roles["support_after"], after):
            out.append((ref, "配合"))
        elif re.search(roles["lead_before"], before) or re.match(roles["lead_after"], after):
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
    """Add Agency nodes and 责任 edges for every loaded plan's tasks and projects."""
    plans = {n.id: n for n in graph.by_label("Plan") if n.props.get("loaded", True)}
    items = [n for n in graph.nodes.values() if n.label in ("Task", "Project") and n.props.get("plan") in plans]
    for node in items:
        plan = plans[node.props["plan"]]
        region = plan.props.get("region")
        explicit = mentions(node.props.get("text") or "", region)
        for ref, role in explicit:
            _add_agency(graph, ref)
            if graph.edge("责任", ref.id, node.id) is None:
                graph.add_edge(Edge("责任", ref.id, node.id, {"role": role, "evidence": _evidence(node, ref.printed)}))
        owner = default_owner(plan)
        if owner and graph.edge("责任", owner.id, node.id) is None:
            _add_agency(graph, owner)
            graph.add_edge(Edge("责任", owner.id, node.id, {"role": "主责", "evidence": DEFAULT_EVIDENCE}))


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
