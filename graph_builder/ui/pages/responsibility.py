"""责任: agency × task matrix with roles, workload per agency, tasks with no owner."""
import streamlit as st

from graph_builder.ui import layout, tables
from graph_builder.ui.data import plans, try_query

store = layout.page_store("责任分工")
if store is not None:
    loaded = [p for p in plans(store) if p.get("loaded", True)]
    names = {p.id: tables.plan_label(p) for p in loaded}
    plan = st.selectbox("规划", [None, *names], format_func=lambda k: "全部规划" if k is None else names[k], key="rs_plan")
    rows = try_query(store, "responsibility", plan=plan)
    if rows is not None:
        long, matrix, work = tables.responsibility_frames(store, rows)
        if long.empty:
            st.info("暂无责任分工数据。")
        else:
            st.subheader("各部门工作量")
            c1, c2 = st.columns([2, 3])
            c1.dataframe(work, hide_index=True, width="stretch")
            chart = work.set_index("部门")[[c for c in work.columns if c not in ("部门", "合计")]]
            c2.bar_chart(chart, horizontal=True, height=max(220, 32 * len(chart)))
            layout.download_xlsx(work, "部门工作量", key="x_work")

            st.subheader("部门 × 任务（角色）")
            agencies = st.multiselect("只看这些部门", matrix.index.tolist(), key="rs_agencies", placeholder="全部")
            m = matrix.loc[agencies] if agencies else matrix
            m = m.loc[:, (m != "").any(axis=0)]
            st.caption(f"{m.shape[0]} 个部门 × {m.shape[1]} 项任务；牵头=红，主责=紫，配合=蓝")
            # colouring every cell is slow beyond a few hundred cells; large matrices stay plain
            st.dataframe(m.style.map(tables.role_colour) if m.size <= 600 else m, width="stretch")
            layout.download_xlsx(m, "责任矩阵", key="x_matrix")
            if st.toggle("显示明细", key="rs_long"):
                st.dataframe(long, hide_index=True, width="stretch", column_config={"部门ID": None, "任务ID": None})
                layout.download_xlsx(long, "责任明细", key="x_resp_long")

    st.subheader("无责任单位的任务")
    orph = try_query(store, "orphans", kind="no_agency")
    if orph is not None:
        of = tables.orphans_frame(store, [r for r in orph if plan is None or r["plan"] == plan])
        st.caption(f"共 {len(of)} 项")
        st.dataframe(of[["规划", "类型", "标题", "ID"]], hide_index=True, width="stretch", column_config={"ID": None})
        layout.download_xlsx(of, "无责任单位", key="x_noowner")
