"""概览: plans by level and region, counts, the coverage table with a colour scale."""
import streamlit as st

from graph_builder.ui import layout, tables
from graph_builder.ui.data import plans, try_query
from graph_builder.ui.style import LABEL_ZH, short
from graph_builder.ui.trace import ITEM_LABELS

store = layout.page_store("概览")
COVERAGE_ALL_MAX = 3000  # above this many plan × section rows, the detail table shows one lower plan at a time


def _goal_links(loaded) -> None:
    """Find an upper goal and open its goal view (去向) in one click."""
    st.subheader("目标去向")
    q = st.text_input("查找目标（任务、项目或指标的标题）", key="ov_goal_q", placeholder="例如：完善市场监管综合体系")
    if not q.strip():
        st.caption("输入关键词后，点击结果即可查看该目标在下级规划中的承接情况（含未承接的地区）。")
        return
    rows = [r for r in (try_query(store, "search", text=q.strip(), limit=30) or []) if r["label"] in ITEM_LABELS]
    if not rows:
        st.info("没有找到匹配的目标。")
        return
    has_lower = {p.id for p in loaded if _children(p.id)}
    rows.sort(key=lambda r: (r["plan"] not in has_lower, r["title"] != q.strip(), r["plan"] or "", r["id"]))
    trace_page = (st.session_state.get("_pg_pages") or {}).get("trace")
    for r in rows[:10]:
        label = f"{tables.plan_label(store.node(r['plan']), '')} · {LABEL_ZH.get(r['label'], '')} · {r['title']}"
        if trace_page is not None:
            st.page_link(trace_page, label=label, icon=":material/account_tree:", query_params={"id": r["id"]})
        else:
            st.markdown(f"- {label}")


def _children(parent: str) -> list[str]:
    """Loaded plans one level below *parent* in the plan hierarchy, in picker order (per store version)."""
    kids = store.memo("plan_children", lambda: _plan_children())
    return kids.get(parent, [])


def _plan_children() -> dict[str, list[str]]:
    order = {p.id: i for i, p in enumerate(plans(store))}
    kids: dict[str, list[str]] = {}
    for p in plans(store):
        for e in store.edges("上级规划", source=p.id):
            up = store.node(e.target)
            if up is not None and up.label == "Plan" and e.get("status") != "rejected" and p.get("loaded", True):
                kids.setdefault(e.target, []).append(p.id)
    return {k: sorted(v, key=order.get) for k, v in kids.items()}


def _coverage_index() -> dict | None:
    """Coverage rows by (lower plan, upper plan), and each upper plan's sections in order (per store version)."""
    rows = try_query(store, "coverage", lower=None)
    if rows is None:  # the query failed: say so on the page, cache nothing
        return None
    return store.memo("coverage_index", lambda: _index_rows(rows))


def _index_rows(rows) -> dict:
    by_pair: dict = {}
    sections: dict = {}
    for r in rows:
        by_pair.setdefault((r["lower_plan"], r["upper_plan"]), {})[r["section"]] = r
        sections.setdefault(r["upper_plan"], {}).setdefault(r["section"], r["section_title"] or r["section"])
    return {"pairs": by_pair, "sections": sections, "n": len(rows)}


def _region_matrix(loaded) -> None:
    """Regions × the upper plan's sections: one row per plan one level down (the provinces under the national
    plan), drill down one region at a time to its cities and counties. Small at any scale: never all plans."""
    uppers = {p.id: f"{tables.plan_label(p)} · {p.title}" for p in loaded if _children(p.id)}
    if not uppers:
        return
    st.subheader("上级规划覆盖度（地区 × 上级章节）")
    c1, c2 = st.columns(2)
    up = c1.selectbox("上级规划", list(uppers), format_func=uppers.get, key="ov_upper")
    path = [p for p in st.session_state.get("ov_cov_path", []) if store.node(p) is not None]
    if path and path[0] not in _children(up):
        path = []
    scope = path[-1] if path else up
    idx = _coverage_index()
    if idx is None:
        return
    secs = idx["sections"].get(up, {})
    rows_ids = ([scope] if scope != up else []) + _children(scope)
    cells = []
    for pid in rows_ids:
        got = idx["pairs"].get((pid, up), {})
        total = sum(int(r["upper_items"]) for r in got.values())
        covered = sum(int(r["covered"]) for r in got.values())
        row = {"地区": tables.plan_label(store.node(pid), pid), "下级数": len(_children(pid)),
               "覆盖率%": round(100 * covered / total, 1) if total else None}
        for sid, title in secs.items():
            r = got.get(sid)
            row[short(title, 12)] = round(100 * float(r["share"]), 1) if r else None
        cells.append(row)
    if not cells or not secs:
        st.info("下级规划尚无承接关联。")
        return
    crumbs = " › ".join([tables.plan_label(store.node(up))] + [tables.plan_label(store.node(p)) for p in path])
    st.caption(f"当前范围：{crumbs}（数值为上级各章节条目被该地区规划承接的比例 %）")
    df = tables.pd.DataFrame(cells)
    st.dataframe(df.style.map(tables.share_colour, subset=[c for c in df.columns if c not in ("地区", "下级数")])
                 .format(precision=1, na_rep="—"), hide_index=True, width="stretch",
                 height=min(560, 38 + 35 * len(df)))
    layout.download_xlsx(df, "地区覆盖度", key="x_region_cov")
    drill = {pid: tables.plan_label(store.node(pid), pid) for pid in _children(scope) if _children(pid)}
    d1, d2 = st.columns([3, 1])
    if drill:
        pick = d1.selectbox("展开下一级地区", [None, *drill], format_func=lambda k: "—" if k is None else drill[k],
                            key=f"ov_drill_{scope}")
        if pick is not None:
            st.session_state["ov_cov_path"] = path + [pick]
            st.rerun()
    if path and d2.button("返回上一级", key="ov_cov_up"):
        st.session_state["ov_cov_path"] = path[:-1]
        st.rerun()


if store is not None:
    ps = plans(store)
    counts = store.counts()
    loaded = [p for p in ps if p.get("loaded", True)]
    cols = st.columns(5)
    cols[0].metric("已载入规划", len(loaded), help=f"另有 {len(ps) - len(loaded)} 个仅被引用的上级规划")
    cols[1].metric("任务", counts.get("Task", 0))
    cols[2].metric("项目", counts.get("Project", 0))
    cols[3].metric("指标", counts.get("Indicator", 0))
    cols[4].metric("上下级关联", counts.get("上级规划", 0))

    _goal_links(loaded)
    _region_matrix(loaded)

    if not layout.meeting():
        st.subheader("规划分布（按层级、地区）")
        st.dataframe(store.memo("level_region_frame", lambda: tables.level_region_frame(ps)), hide_index=True, width="stretch")
        st.subheader("规划清单")
        per_plan = store.backend == "embedded"  # on Neo4j per-plan counts would read every node
        pf = store.memo(("plans_frame", per_plan), lambda: tables.plans_frame(store, ps, counts=per_plan))
        if not per_plan:
            st.caption("Neo4j：各规划的条目数请在“规划”页查看（此处不逐个读取全部节点）。")
        st.dataframe(pf, hide_index=True, width="stretch", column_config={"ID": None})
        layout.download_xlsx(pf, "规划清单", key="x_plans")

    st.subheader("覆盖度明细（下级规划 × 上级章节）")
    lower_opts = {p.id: tables.plan_label(p) for p in loaded}
    idx = _coverage_index()
    small = idx is None or idx["n"] <= COVERAGE_ALL_MAX
    if not small:  # one plan at a time, among those that have an upper plan to cover
        with_rows = {lo for lo, _ in idx["pairs"]}
        lower_opts = {k: v for k, v in lower_opts.items() if k in with_rows}
    lower = st.selectbox("下级规划", [None, *lower_opts] if small else list(lower_opts),
                         format_func=lambda k: "全部" if k is None else lower_opts[k], key="ov_lower")
    rows = try_query(store, "coverage", lower=lower)
    if rows is not None:
        cf = tables.coverage_frame(store, rows)
        if cf.empty:
            st.info("暂无覆盖度数据（尚无上下级关联）。")
        else:
            st.dataframe(tables.coverage_styler(cf), hide_index=True, width="stretch",
                         height=min(700, 38 + 35 * len(cf)))
            layout.download_xlsx(cf, "覆盖度", key="x_cov")
