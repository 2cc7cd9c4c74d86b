"""检索: full-text search across tasks, projects and indicators (Chinese), with a jump to the trace view."""
import streamlit as st

from graph_builder.ui import layout, tables
from graph_builder.ui.data import try_query
from graph_builder.ui.similar import similar_tasks
from graph_builder.ui.style import LABEL_ZH

store = layout.page_store("检索")
if store is not None:
    text = st.text_input("检索词（任务、项目、指标的标题与正文）", key="q_text", placeholder="例如：知识产权、食品安全、营商环境")
    limit = st.slider("最多显示", 10, 200, 50, step=10, key="q_limit")
    if text.strip():
        rows = try_query(store, "search", text=text.strip(), limit=limit)
        if rows is not None:
            df = tables.pd.DataFrame([{"规划": tables.plan_label(store.node(r["plan"]), r["plan"] or ""),
                                       "类型": LABEL_ZH.get(r["label"], r["label"]), "标题": r["title"], "ID": r["id"]}
                                      for r in rows], columns=["规划", "类型", "标题", "ID"])
            st.caption(f"共 {len(df)} 条结果")
            if df.empty:
                st.info("没有找到匹配的条目。")
            else:
                st.dataframe(df, hide_index=True, width="stretch")
                layout.download_xlsx(df, f"检索_{text.strip()[:10]}", key="x_search")
                pick = st.selectbox("选择一条查看上下级追溯", df["ID"].tolist(),
                                    format_func=lambda i: " · ".join(df.loc[df["ID"] == i, ["规划", "类型", "标题"]].iloc[0]),
                                    key="q_pick")
                if st.button("在追溯页打开", key="q_go"):
                    layout.goto("trace", id=pick)
                if getattr(store.node(pick), "label", None) in ("Task", "Project") and st.toggle("其他规划中的相似任务", key="q_similar"):
                    with st.spinner("计算相似任务（首次使用时建立索引）…"):
                        sim, exact = similar_tasks(store, pick, k=10)
                    st.caption("任意层级、其他规划中最相似的 10 项（按内容相似度）" if exact
                               else "Neo4j：按标题全文检索的近似结果（无相似度）")
                    if sim:
                        sdf = tables.pd.DataFrame([{"规划": tables.plan_label(store.node(r["plan"]), r["plan"] or ""),
                                                    "标题": r["title"], "相似度": r["score"], "ID": r["id"]} for r in sim])
                        st.dataframe(sdf, hide_index=True, width="stretch")
                    else:
                        st.info("其他规划中没有相似的任务。")
