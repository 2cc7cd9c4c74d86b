"""概览: plans by level and region, counts, the coverage table with a colour scale."""
import streamlit as st

from graph_builder.ui import layout, tables
from graph_builder.ui.data import plans, try_query

store = layout.page_store("概览")
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
