"""A small, clearly synthetic four-level graph (合成测试数据) for the explorer's tests and benchmark.

It exists so the UI can be exercised before (and independently of) the real build: national →
安徽省 → 宿州市 → 砀山县, a peer province, a city whose province is not loaded, with every edge
type the pages read (上级规划 with all statuses, 责任, OVERLAPS, Measure/MEASURES, COVERS, CONTAINS).
"""
from __future__ import annotations

from graph_builder.models import Edge, Graph, Node, stable_id

TAG = "（合成测试）"


def _plan(key: str, title: str, region: str | None, level: str, issuer: str, loaded: bool = True) -> Node:
    return Node(stable_id("plan", key), "Plan", {
        "title": title + TAG, "region": region, "level": level, "issuer": issuer, "date": "2022-01-01",
        "source": f"synthetic/{key}.txt" if loaded else None, "loaded": loaded, "doc_no": None, "cites": []})


def synthetic_graph() -> Graph:
    """Build the fixture graph; ids are stable so decisions recorded against it survive a rebuild."""
    g = Graph()
    nat = g.add_node(_plan("nat", "“十四五”市场监管现代化规划", None, "national", "国务院"))
    ah = g.add_node(_plan("anhui", "安徽省“十四五”市场监管现代化规划", "安徽省", "province", "安徽省市场监督管理局"))
    zj = g.add_node(_plan("zhejiang", "浙江省市场监管“十四五”规划", "浙江省", "province", "浙江省市场监督管理局"))
    sz = g.add_node(_plan("suzhou", "宿州市“十四五”市场监管现代化规划", "宿州市", "city", "宿州市市场监督管理局"))
    ds = g.add_node(_plan("dangshan", "砀山县“十四五”市场监管规划", "砀山县", "county", "砀山县市场监督管理局"))
    hb = g.add_node(_plan("hubei", "湖北省市场监管“十四五”规划", "湖北省", "province", "湖北省市场监督管理局", loaded=False))
    jm = g.add_node(_plan("jingmen", "荆门市市场监管“十四五”规划", "荆门市", "city", "荆门市市场监督管理局"))
    for lower, upper in ((ah, nat), (zj, nat), (sz, ah), (ds, sz), (hb, nat), (jm, hb)):
        g.add_edge(Edge("上级规划", lower.id, upper.id, {"score": 1.0, "method": "region", "evidence": [], "status": "accepted", "kind": "special"}))

    sections: dict[tuple[str, str], Node] = {}

    def section(plan: Node, title: str, kind: str = "task") -> Node:
        key = (plan.id, title)
        if key not in sections:
            path = ["四、主要任务", title] if kind == "task" else [title]
            sections[key] = g.add_node(Node(stable_id("section", plan.id, *path), "Section", {
                "plan": plan.id, "title": title, "path": path, "line": 10 + len(sections), "kind": kind}))
            g.add_edge(Edge("CONTAINS", plan.id, sections[key].id))
        return sections[key]

    def task(plan: Node, sec: str, title: str, text: str, label: str = "Task", **extra) -> Node:
        s = section(plan, sec)
        props = {"plan": plan.id, "title": title, "text": text, "path": s.props["path"] + [title],
                 "line": 20 + len(g.nodes), "page": 3}
        if label == "Project":
            props["box"] = "专栏1 重点工程"
        props.update(extra)
        n = g.add_node(Node(stable_id(label.lower(), plan.id, *props["path"]), label, props))
        g.add_edge(Edge("CONTAINS", s.id, n.id))
        return n

    def link(lower: Node, upper: Node, score: float, status: str = "suggested", evidence: str = "") -> None:
        g.add_edge(Edge("上级规划", lower.id, upper.id, {
            "score": score, "method": "lexical", "evidence": [evidence or lower.props.get("text", "")[:24]],
            "status": status}))

    copy_biz = "深化“放管服”改革，持续优化营商环境，全面推行证照分离改革，推进企业开办全程网上办理。"
    copy_food = "严格落实食品安全“四个最严”要求，健全食品安全风险监测和抽检制度，守住不发生系统性风险底线。"
    copy_ip = "强化知识产权全链条保护，健全知识产权快速协同保护机制，加大侵权假冒行为打击力度。"

    n1 = task(nat, "（一）优化营商环境", "深化商事制度改革", copy_biz + "完善市场主体退出机制。")
    n2 = task(nat, "（二）守牢安全底线", "加强食品安全监管", copy_food)
    n3 = task(nat, "（三）强化知识产权保护", "强化知识产权保护", copy_ip)
    n4 = task(nat, "（三）强化知识产权保护", "推进质量基础设施建设", "加快计量、标准、认证认可、检验检测等质量基础设施建设。")

    a1 = task(ah, "（一）打造一流营商环境", "深入推进商事制度改革", copy_biz + "在全省推广“一件事一次办”。")
    a2 = task(ah, "（二）筑牢安全防线", "强化食品安全监管", copy_food + "实施食品安全放心工程。")
    a3 = task(ah, "（三）加强知识产权保护", "加强知识产权保护", copy_ip + "建设中国（安徽）知识产权保护中心。")
    a4 = task(ah, "（一）打造一流营商环境", "加强信用监管", "构建以信用为基础的新型监管机制，推进信用分级分类监管。")
    ap = task(ah, "（二）筑牢安全防线", "食品安全放心工程", "建设放心农贸市场100个。", label="Project")

    s1 = task(sz, "（一）营商环境创“优”", "深化商事制度改革", copy_biz + "打造宿州“464”政务服务品牌。")
    s2 = task(sz, "（二）安全监管创“稳”", "加强食品安全监管", copy_food + "创建国家食品安全示范城市。")
    s3 = task(sz, "（三）知识产权创“高”", "加强知识产权保护", copy_ip)
    s4 = task(sz, "（一）营商环境创“优”", "打造“464”服务品牌", "围绕企业全生命周期，推出宿州“464”特色服务。", local=True)
    s5 = task(sz, "（二）安全监管创“稳”", "推进农产品快检", "在乡镇农贸市场设立快检室，开展食用农产品快速检测。")
    s6 = task(sz, "（二）安全监管创“稳”", "推进食品快速检测", "在农贸市场设立快检室，开展食用农产品快速检测服务。")

    d1 = task(ds, "（一）营商环境", "推进企业开办便利化", "推进企业开办全程网上办理，压缩开办时间至1个工作日。")
    d2 = task(ds, "（二）食品安全", "加强砀山酥梨质量安全监管", "建立砀山酥梨质量追溯体系。")

    z1 = task(zj, "（一）营商环境", "深化商事制度改革", copy_biz + "推进“最多跑一次”改革。")
    z2 = task(zj, "（二）食品安全", "加强食品安全监管", "构建食品安全智慧监管体系，推进浙食链建设。")
    j1 = task(jm, "（一）营商环境", "优化营商环境", "推行证照分离改革，压缩企业开办时间。")

    link(a1, n1, 0.91, "accepted", copy_biz)
    link(a2, n2, 0.88, evidence=copy_food)
    link(a3, n3, 0.86, evidence=copy_ip)
    link(ap, n2, 0.42)
    link(z1, n1, 0.9, evidence=copy_biz)
    link(s1, a1, 0.93, evidence=copy_biz)
    link(s1, n1, 0.81, evidence=copy_biz)
    link(s2, a2, 0.9, evidence=copy_food)
    link(s3, a3, 0.87, evidence=copy_ip)
    link(s5, a2, 0.35, "rejected")
    link(s6, a2, 0.47, "suspect")
    link(d1, s1, 0.62, evidence="推进企业开办全程网上办理")

    g.add_edge(Edge("OVERLAPS", a1.id, z1.id, {"score": 0.83, "kind": "peer", "evidence": [copy_biz]}))
    g.add_edge(Edge("OVERLAPS", s5.id, s6.id, {"score": 0.76, "kind": "within_plan",
                                                "evidence": ["农贸市场设立快检室，开展食用农产品快速检测"]}))

    agencies = {}
    for name, region in (("国家市场监督管理总局", None), ("安徽省市场监督管理局", "安徽省"), ("安徽省发展和改革委员会", "安徽省"),
                         ("宿州市市场监督管理局", "宿州市"), ("宿州市农业农村局", "宿州市"), ("浙江省市场监督管理局", "浙江省")):
        agencies[name] = g.add_node(Node(stable_id("agency", region or "国家", name), "Agency",
                                         {"name": name, "region": region, "aliases": [], "kind": "body"}))

    def owns(agency: str, target: Node, role: str) -> None:
        g.add_edge(Edge("责任", agencies[agency].id, target.id, {"role": role, "evidence": f"由{agency}{role}"}))

    for t in (n1, n2, n3, n4):
        owns("国家市场监督管理总局", t, "主责")
    owns("安徽省市场监督管理局", a1, "牵头")
    owns("安徽省发展和改革委员会", a1, "配合")
    owns("安徽省市场监督管理局", a2, "牵头")
    owns("安徽省市场监督管理局", a3, "主责")
    owns("安徽省市场监督管理局", ap, "牵头")
    owns("宿州市市场监督管理局", s1, "牵头")
    owns("宿州市市场监督管理局", s2, "牵头")
    owns("宿州市农业农村局", s2, "配合")
    owns("宿州市农业农村局", s5, "牵头")
    owns("浙江省市场监督管理局", z1, "主责")
    # a4, s3, s4, s6, d1, d2, z2, j1 deliberately have no owner

    def indicator(plan: Node, name: str, unit: str, baseline: str, target: str, attribute: str, seq: str) -> Node:
        s = section(plan, "三、主要目标", kind="goals")
        n = g.add_node(Node(stable_id("indicator", plan.id, name), "Indicator", {
            "plan": plan.id, "name": name, "unit": unit, "baseline": baseline, "target": target,
            "attribute": attribute, "cumulative": False, "category": "创新发展", "source": "table",
            "line": 15, "seq": seq, "task": None}))
        g.add_edge(Edge("CONTAINS", s.id, n.id))
        return n

    i_n = indicator(nat, "每万人口高价值发明专利拥有量", "件", "6.3", "12", "预期性", "1")
    i_a = indicator(ah, "每万人口高价值发明专利拥有量", "件", "4.2", "9", "预期性", "1")
    i_s = indicator(sz, "每万人口拥有高价值发明专利数", "件", "0.8", "2.5", "约束性", "1")
    i_z = indicator(zj, "每万人高价值发明专利拥有量", "件", "7.1", "14", "预期性", "1")
    i_a2 = indicator(ah, "食品抽检合格率", "%", "98", "≥98", "约束性", "2")
    i_s2 = indicator(sz, "食品抽检合格率", "%", "97.5", "≥97", "约束性", "2")
    # Indicator links carry the flags and reasons the real linker computes (never hand-written ones).
    from graph_builder.link.config import load_config
    from graph_builder.link.indicators import consistency

    ic = load_config().indicators
    for low, up, score in ((i_a, i_n, 0.97), (i_s, i_a, 0.9), (i_s2, i_a2, 0.95)):
        v = consistency(low, up, ic, hierarchical=True)
        g.add_edge(Edge("上级规划", low.id, up.id, {
            "score": score, "method": "measure_name", "evidence": [low.props["name"], up.props["name"]],
            "status": "suggested", "flags": v.flags, "reasons": v.reasons}))
    for name, kind, members in (("每万人口高价值发明专利拥有量", "count", (i_n, i_a, i_s, i_z)),
                                ("食品抽检合格率", "percent", (i_a2, i_s2))):
        m = g.add_node(Node(stable_id("measure", name), "Measure", {"name": name, "unit_kind": kind, "keys": [name]}))
        for n in members:
            g.add_edge(Edge("MEASURES", n.id, m.id, {"key": name}))
    owns("安徽省市场监督管理局", i_a, "主责")

    for region, level, parent in (("安徽省", "province", None), ("宿州市", "city", "安徽省"), ("砀山县", "county", "宿州市"),
                                  ("浙江省", "province", None), ("湖北省", "province", None), ("荆门市", "city", "湖北省")):
        r = g.add_node(Node(stable_id("region", region), "Region", {"name": region, "level": level, "parent": parent}))
        if parent:
            g.add_edge(Edge("WITHIN", r.id, stable_id("region", parent)))
    for plan in (ah, zj, sz, ds, hb, jm):
        g.add_edge(Edge("COVERS", plan.id, stable_id("region", plan.props["region"])))
    return g


def ids(g: Graph | None = None) -> dict[str, str]:
    """Handy ids of the fixture, by a short name (for tests and the benchmark)."""
    g = g or synthetic_graph()
    out = {}
    for n in g.nodes.values():
        plan = g.nodes.get(n.props.get("plan") or "")
        region = (plan.props.get("region") if plan else n.props.get("region")) or "国家"
        if n.label in ("Task", "Project", "Indicator"):
            out[f"{region}:{n.title}"] = n.id
        elif n.label == "Plan":
            out[f"plan:{region}"] = n.id
    return out
