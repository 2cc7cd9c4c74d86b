"""指标: the national summary (one row per measure stated in several plans), one measure across plans and levels
side by side with a chart, one plan's indicators with their upper-plan links, and the consistency flags.

Everything heavy (groups, summary, flags by plan) is made once per store version (``tables.IndicatorIndex``);
a rerun only slices one page of rows, so the page costs the same with 5 plans or 3,000."""
import altair as alt
import streamlit as st

from graph_builder.ui import layout, tables
from graph_builder.ui.data import plans, try_query
from graph_builder.ui.style import LEVEL_COLOR, LEVEL_ZH

store = layout.page_store("指标对照")
CHART_MAX = 60  # bars in the chart: the national and provincial plans first
VIEWS = ("同一指标跨规划", "按规划查看", "一致性问题")


def _index():
    flag_rows = try_query(store, "indicator_flags")  # a failure is shown on the page; the rest still works
    key = "indicator_index" if flag_rows is not None else "indicator_index_noflags"
    return store.memo(key, lambda: tables.IndicatorIndex(store, store.nodes(label="Indicator"), flag_rows))


def _chart(gdf) -> None:
    plot = gdf.dropna(subset=["目标数值"])
    if len(plot) > CHART_MAX:  # a chart of thousands of bars helps nobody and stalls the browser
        st.caption(f"图中只显示前 {CHART_MAX} 个规划（国家、省级在前）；全部数值见上表。")
        plot = plot.head(CHART_MAX)
    if plot.empty:
        return
    levels = ("national", "province", "city", "county")
    scale = alt.Scale(domain=[LEVEL_ZH[k] for k in levels], range=[LEVEL_COLOR[k] for k in levels])
    chart = alt.Chart(plot).mark_bar().encode(
        x=alt.X("规划:N", sort=None, title="规划", axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("指标名称:N"), y=alt.Y("目标数值:Q", title="目标值（数值部分）"),
        color=alt.Color("层级:N", scale=scale), tooltip=["规划", "指标名称", "基期值", "目标值", "单位", "属性"])
    st.altair_chart(chart.properties(height=320), width="stretch")


def _groups_view(idx) -> None:
    if not idx.groups:
        st.info("尚无跨规划的同一指标关联。")
        return
    st.markdown("**全国汇总**：每行是在多个规划中出现的同一指标（按出现的规划数排序）。")
    text = st.text_input("指标名称包含", key="in_text", placeholder="例如：专利")
    summ = idx.summary
    if text:
        summ = summ[summ["指标名称"].str.contains(text, regex=False)]
    if summ.empty:
        st.info("没有名称包含该关键词的跨规划指标。")
        return
    page = layout.paged(summ, "in_page", what="组")
    st.dataframe(page, hide_index=True, width="stretch", column_config={"组": None})
    layout.download_xlsx(summ.drop(columns=["组"]), "指标汇总", key="x_summary")
    labels = {int(r["组"]): f"{r['指标名称']}（{r['规划数']} 个规划）" for _, r in page.iterrows()}
    gi = st.selectbox("同一指标（本页）", list(labels), format_func=labels.get, key="in_group")
    if gi is None:
        return
    gdf = store.memo(("indicator_group", gi), lambda: tables.indicator_group_frame(store, idx.groups[gi]))
    st.dataframe(layout.paged(gdf, f"in_gpage_{gi}", what="个规划").drop(columns=["目标数值"]), hide_index=True,
                 width="stretch", column_config={"ID": None})
    layout.download_xlsx(gdf.drop(columns=["目标数值"]), f"指标_{idx.groups[gi][0].title[:12]}", key="x_group")
    _chart(gdf)


def _plan_view(idx) -> None:
    with_inds = store.memo("plans_with_indicators", lambda: _plans_with_indicators())
    if not with_inds:
        st.info("没有规划含有指标。")
        return
    pid = layout.plan_picker(store, with_inds, "规划", key="in_plan", default=st.query_params.get("plan"))
    df = store.memo(("plan_indicators", pid), lambda: tables.plan_indicators_frame(store, pid, idx))
    linked = int((df["上级指标"] != "").sum())
    st.caption(f"{tables.plan_label(store.node(pid), pid)}：{len(df)} 个指标，{linked} 个已关联上级规划的指标，"
               f"{int((df['一致性问题'] != '').sum())} 个有一致性问题。")
    st.dataframe(layout.paged(df, f"in_ppage_{pid}", what="个指标"), hide_index=True, width="stretch",
                 column_config={"ID": None})
    layout.download_xlsx(df, f"指标_{tables.plan_label(store.node(pid), pid)}", key="x_plan_ind")


def _plans_with_indicators() -> list[str]:
    """Plans that state indicators, in picker order (one pass over the indicators, also on Neo4j)."""
    have = {n.plan for n in store.nodes(label="Indicator")}
    return [p.id for p in plans(store) if p.id in have]


def _flags_view(idx) -> None:
    if idx.flags.empty:
        st.success("未发现指标一致性问题。")
        return
    st.dataframe(idx.flag_counts, hide_index=True)
    c1, c2 = st.columns(2)
    flags = c1.multiselect("问题类型", list(idx.flag_counts["问题"]), key="in_flags", placeholder="全部")
    scope = c2.toggle("只看一个规划", key="in_flag_one")
    fdf = idx.plan_flags(None)
    if scope:
        pid = layout.plan_picker(store, sorted(idx.flags_by_plan, key=_plan_order().get), "规划（下级）",
                                 key="in_flag_plan")
        fdf = idx.plan_flags(pid)
    if flags:
        fdf = fdf[fdf["问题"].isin(flags)]
    st.caption(f"共 {len(fdf)} 条")
    st.dataframe(layout.paged(fdf, "in_fpage", what="条"), hide_index=True, width="stretch",
                 column_config={"下级ID": None, "上级ID": None})
    layout.download_xlsx(fdf, "指标一致性", key="x_flags")


def _plan_order() -> dict:
    return store.memo("plan_order", lambda: {p.id: i for i, p in enumerate(plans(store))})


if store is not None:
    idx = _index()
    st.caption(f"共 {idx.total} 个指标，其中 {len(idx.groups)} 组在多个规划中出现；一致性问题 {len(idx.flags)} 条。")
    view = st.segmented_control("查看", VIEWS, default=VIEWS[0], key="in_view") or VIEWS[0]
    if view == VIEWS[0]:
        _groups_view(idx)
    elif view == VIEWS[1]:
        _plan_view(idx)
    else:
        _flags_view(idx)
