"""指标: one measure across plans and levels side by side, consistency flags, and a chart of targets."""
import altair as alt
import streamlit as st

from graph_builder.ui import layout, tables
from graph_builder.ui.data import try_query
from graph_builder.ui.style import LEVEL_COLOR, LEVEL_ZH

store = layout.page_store("指标对照")
CHART_MAX = 60
if store is not None:
    inds = store.nodes(label="Indicator")
    groups = store.memo("indicator_groups", lambda: tables.indicator_groups(store, inds))
    st.caption(f"共 {len(inds)} 个指标，其中 {len(groups)} 组在多个规划中出现。")
    if groups:
        labels = {i: f"{g[0].title}（{len({n.plan for n in g})} 个规划）" for i, g in enumerate(groups)}
        gi = st.selectbox("同一指标", list(labels), format_func=labels.get, key="in_group")
        gdf = store.memo(("indicator_group", gi), lambda: tables.indicator_group_frame(store, groups[gi]))
        st.dataframe(gdf.drop(columns=["目标数值"]), hide_index=True, width="stretch", column_config={"ID": None})
        layout.download_xlsx(gdf, f"指标_{groups[gi][0].title[:12]}", key="x_group")
        plot = gdf.dropna(subset=["目标数值"])
        if len(plot) > CHART_MAX:  # national scale: a chart of thousands of bars helps nobody and stalls the page
            st.caption(f"图中只显示前 {CHART_MAX} 个规划（国家、省级在前）；全部数值见上表。")
            plot = plot.head(CHART_MAX)
        if not plot.empty:
            scale = alt.Scale(domain=[LEVEL_ZH[k] for k in ("national", "province", "city", "county")],
                              range=[LEVEL_COLOR[k] for k in ("national", "province", "city", "county")])
            chart = alt.Chart(plot).mark_bar().encode(
                x=alt.X("规划:N", sort=None, title="规划", axis=alt.Axis(labelAngle=0)),
                xOffset=alt.XOffset("指标名称:N"), y=alt.Y("目标数值:Q", title="目标值（数值部分）"),
                color=alt.Color("层级:N", scale=scale), tooltip=["规划", "指标名称", "基期值", "目标值", "单位", "属性"])
            st.altair_chart(chart.properties(height=320), width="stretch")
    else:
        st.info("尚无跨规划的同一指标关联。")

    st.subheader("一致性问题")
    rows = try_query(store, "indicator_flags")
    if rows is not None:
        fdf = store.memo("flags_frame", lambda: tables.flags_frame(store, rows))
        if fdf.empty:
            st.success("未发现指标一致性问题。")
        else:
            flags = st.multiselect("问题类型", sorted(fdf["问题"].unique()), key="in_flags", placeholder="全部")
            if flags:
                fdf = fdf[fdf["问题"].isin(flags)]
            st.dataframe(fdf, hide_index=True, width="stretch", column_config={"下级ID": None, "上级ID": None})
            layout.download_xlsx(fdf, "指标一致性", key="x_flags")

    if st.toggle("显示全部指标", key="in_all"):
        alldf = tables.pd.DataFrame([{"规划": tables.plan_label(store.node(n.plan) if n.plan else None), "指标名称": n.title,
                                      "单位": n.get("unit") or "", "基期值": n.get("baseline") or "",
                                      "目标值": n.get("target") or "", "属性": n.get("attribute") or "", "ID": n.id}
                                     for n in inds], columns=["规划", "指标名称", "单位", "基期值", "目标值", "属性", "ID"])
        st.dataframe(alldf, hide_index=True, width="stretch", column_config={"ID": None})
        layout.download_xlsx(alldf, "全部指标", key="x_allind")
