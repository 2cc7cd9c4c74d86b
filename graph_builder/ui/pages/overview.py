"""概览: plans by level and region, counts, the coverage table with a colour scale."""
import streamlit as st

from graph_builder.ui import layout, tables
from graph_builder.goal import lower_plans, plan_coverage
from graph_builder.ui.data import plans, try_query
from graph_builder.ui.style import LABEL_ZH
from graph_builder.ui.trace import ITEM_LABELS

store = layout.page_store("概览")


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
    has_lower = {p.id for p in loaded if lower_plans(store, p.id, 1)}
    rows.sort(key=lambda r: (r["plan"] not in has_lower, r["title"] != q.strip(), r["plan"] or "", r["id"]))
    trace_page = (st.session_state.get("_pg_pages") or {}).get("trace")
    for r in rows[:10]:
        label = f"{tables.plan_label(store.node(r['plan']), '')} · {LABEL_ZH.get(r['label'], '')} · {r['title']}"
        if trace_page is not None:
            st.page_link(trace_page, label=label, icon=":material/account_tree:", query_params={"id": r["id"]})
        else:
            st.markdown(f"- {label}")


def _region_coverage(loaded) -> None:
    """For an upper plan: which lower regions picked it up and how much (heat table by region, same figures charted)."""
    uppers = {p.id: f"{tables.plan_label(p)} · {p.title}" for p in loaded if lower_plans(store, p.id, 1)}
    if not uppers:
        return
    st.subheader("上级规划在各地区的承接（按地区）")
    up = st.selectbox("上级规划", list(uppers), format_func=uppers.get, key="ov_upper")
    rows = try_query(store, "coverage", lower=None)
    if rows is None:
        return
    cov = tables.plan_coverage_frame(plan_coverage(store, up, rows))
    if cov.empty:
        st.info("下级规划尚无承接关联。")
        return
    c1, c2 = st.columns([3, 2])
    c1.dataframe(tables.heat_styler(cov, "覆盖率%"), hide_index=True, width="stretch")
    c2.bar_chart(cov.set_index("下级规划")["覆盖率%"], horizontal=True, height=max(140, 40 * len(cov)))
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
    _region_coverage(loaded)

    if not layout.meeting():
        st.subheader("规划分布（按层级、地区）")
        st.dataframe(tables.level_region_frame(ps), hide_index=True, width="stretch")
        st.subheader("规划清单")
        per_plan = store.backend == "embedded"  # on Neo4j per-plan counts would read every node
        pf = tables.plans_frame(store, ps, counts=per_plan)
        if not per_plan:
            st.caption("Neo4j：各规划的条目数请在“规划”页查看（此处不逐个读取全部节点）。")
        st.dataframe(pf, hide_index=True, width="stretch", column_config={"ID": None})
        layout.download_xlsx(pf, "规划清单", key="x_plans")

    st.subheader("上级规划覆盖度（下级规划 × 上级章节）")
    lower_opts = {p.id: tables.plan_label(p) for p in loaded}
    lower = st.selectbox("下级规划", [None, *lower_opts], format_func=lambda k: "全部" if k is None else lower_opts[k],
                         key="ov_lower")
    rows = try_query(store, "coverage", lower=lower)
    if rows is not None:
        cf = tables.coverage_frame(store, rows)
        if cf.empty:
            st.info("暂无覆盖度数据（尚无上下级关联）。")
        else:
            st.dataframe(tables.coverage_styler(cf), hide_index=True, width="stretch",
                         height=min(700, 38 + 35 * len(cf)))
            layout.download_xlsx(cf, "覆盖度", key="x_cov")
