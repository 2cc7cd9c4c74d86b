"""去向与追溯: the goal view first — an upper goal with everything implementing it below, level by level, and
an empty 未承接 slot for each loaded lower plan that did not pick it up; the full up-and-down chain on request.
The picker folds away once a goal is chosen, so the graph is the first thing on the screen."""
import html

import streamlit as st

from graph_builder.errors import GraphBuilderError
from graph_builder.safeout import md_text, valid_id
from graph_builder.ui import layout, tables
from graph_builder.ui.data import goal_view, item_label, plans, trace_view, try_query
from graph_builder.ui.export import chromium_path, html_to_png
from graph_builder.ui.style import LABEL_ZH, LEVEL_ZH, STATUS_ZH, level_legend_html
from graph_builder.ui.trace import ITEM_LABELS

store = layout.page_store("追溯")


def _set_focus(nid):
    if nid and nid != st.session_state.get("focus"):
        st.session_state["focus"] = nid
        st.session_state["tr_expanded"] = []
        st.session_state["tr_page"] = 0
        st.session_state.pop("tr_png", None)


def _picker(focus):
    """Search, or browse a plan's outline (upper plans first)."""
    c1, c2 = st.columns([2, 3])
    text = c1.text_input("搜索", key="tr_text", placeholder="输入关键词，例如：知识产权")
    options: list[str] = []
    if text.strip():
        rows = try_query(store, "search", text=text.strip(), limit=50) or []
        options = [r["id"] for r in rows if r["label"] in ITEM_LABELS]
    else:
        loaded = [p for p in plans(store) if p.get("loaded", True)]
        pl = {p.id: f"{tables.plan_label(p)} · {p.title}" for p in loaded}
        cur = store.node(focus).plan if focus else None
        if pl:
            pid = c1.selectbox("或按规划浏览（国家、省级在前）", list(pl), format_func=pl.get,
                               index=list(pl).index(cur) if cur in pl else 0, key=f"tr_plan_{cur}")
            options = [n.id for n in sorted(store.nodes(plan=pid), key=lambda n: (n.get("line") or 0, n.id))
                       if n.label in ITEM_LABELS]
    if focus and focus not in options:
        options = [focus, *options]
    if not options:
        c2.info("没有匹配的条目。")
        return focus
    pick = c2.selectbox("目标（任务、项目或指标）", options, index=options.index(focus) if focus in options else 0,
                        format_func=lambda i: item_label(store, store.node(i)) if store.node(i) else i,
                        key=f"tr_pick_{focus}")
    if pick != focus:
        _set_focus(pick)
        st.query_params["id"] = pick
        st.session_state["_tr_url"] = pick
        return pick
    return focus


def _names(slots, most: int = 20) -> str:
    """Plan names for the summary line; at national scale the first few and a count."""
    names = [s.name for s in slots]
    if not names:
        return "无"
    return "、".join(names[:most]) + (f" 等 {len(names)} 个" if len(names) > most else "")


def _goal_section(node, meeting):
    expand = st.session_state.get("tr_goal_expand", [])
    try:
        gv, tv, graph_html = goal_view(store, node.id, expand, meeting=meeting)
    except GraphBuilderError as exc:
        st.warning(f"去向查询暂不可用：{exc}", icon=":material/warning:")
        return
    picked = [s for s in gv.slots if s.picked]
    st.markdown(
        f"<div id='pg-goal-summary'>下级承接 <b>{gv.total}</b> 项；已承接的规划："
        f"{html.escape(_names(picked))}；"
        f"<span style='color:#b03a2e'>未承接：{html.escape(_names(gv.missing))}</span></div>",
        unsafe_allow_html=True)
    st.iframe(graph_html, height=600 if meeting else 580)
    st.markdown(level_legend_html() + "<span style='color:#777'>虚线框：未承接（或已汇总，可展开）。点击节点查看正文、得分与依据。</span>",
                unsafe_allow_html=True)
    boxes = [s for s in gv.slots if s.folded or s.grouped]
    if boxes or expand:
        parent = {s.plan: s.parent for s in gv.slots}
        names = {s.plan: f"{s.name}（{'本级及下级 ' + str(s.sub_items) if s.grouped else len(s.items)} 项）"
                 for s in gv.slots if s.plan in expand or s in boxes}
        chosen = st.multiselect("展开地区", list(names), default=[p for p in expand if p in names], format_func=names.get,
                                key=f"tr_goal_expand_sel_{node.id}")
        added = [p for p in chosen if p not in expand]
        if any(s.grouped for s in boxes) and added:  # national scale: open one region at a time (and its ancestors)
            chain, p = [], added[-1]
            while p in parent and p not in chain:
                chain.append(p)
                p = parent[p]
            chosen = chain
        if sorted(chosen) != sorted(expand):
            st.session_state["tr_goal_expand"] = chosen
            st.rerun()
    if meeting:
        return
    st.subheader("覆盖情况（按地区）")
    cov = tables.goal_coverage_frame(gv)
    c1, c2 = st.columns([3, 2])
    c1.dataframe(tables.heat_styler(cov, "承接条目"), hide_index=True, width="stretch")
    with c2:
        if not cov.empty:
            st.bar_chart(cov.set_index("下级规划")["承接条目"], horizontal=True, height=max(160, 40 * len(cov)))
    rows = [{"层级": LEVEL_ZH.get(s.level, ""), "规划": s.name, "条目": it.title, "类型": LABEL_ZH.get(it.label, it.label),
             "得分": it.score, "状态": STATUS_ZH.get(it.status, it.status or ""), "依据": it.evidence, "ID": it.id}
            for s in gv.slots for it in s.items]
    nf = tables.pd.DataFrame(rows, columns=["层级", "规划", "条目", "类型", "得分", "状态", "依据", "ID"])
    with st.expander(f"承接条目明细（{len(nf)}）"):
        st.dataframe(nf, hide_index=True, width="stretch")
    e1, e2, e3, e4 = st.columns(4)
    with e1:
        layout.download_xlsx(nf, f"去向_{node.title[:12]}", key="x_goal")
    e2.download_button("导出 HTML（当前图）", graph_html.encode("utf-8"), file_name=f"去向_{node.title[:12]}.html",
                       mime="text/html", key="x_goal_html")
    layout.briefing_buttons(node.id, node.title, e3, e4)


def _chain_section(node, focus, meeting):
    a, b, c = st.columns(3)
    depth = a.slider("追溯层数", 1, 6, 6, key="tr_depth") if not meeting else 6
    cap = b.number_input("每页最多节点", 20, 1000, 300, step=20, key="tr_cap") if not meeting else 60
    expanded = list(st.session_state.get("tr_expanded", []))
    page = int(st.session_state.get("tr_page", 0))
    try:
        view, graph_html = trace_view(store, focus, expanded, max_depth=depth, cap=int(cap), page=page, meeting=meeting)
    except GraphBuilderError as exc:
        st.warning(f"追溯查询暂不可用：{exc}", icon=":material/warning:")
        return
    shown = [n for n in view.nodes.values() if not n.aggregate]
    if view.pages > 1:
        p = c.selectbox("页", range(view.pages), index=view.page, format_func=lambda i: f"第 {i + 1} / {view.pages} 页",
                        key="tr_page_sel")
        if p != view.page:
            st.session_state["tr_page"] = p
            st.rerun()
    st.markdown(f"<div id='pg-plans'>图中规划：{html.escape(' → '.join(view.plan_names()))}</div>", unsafe_allow_html=True)
    if len(view.nodes) == 1:
        st.info("该条目没有上下级关联（可能是本地特色任务，或上级规划未载入）。")
    st.iframe(graph_html, height=640)
    st.caption(f"上下级链共 {view.total} 个条目，本页显示 {len(shown)} 个"
               + (f"，另有 {view.hidden} 个已汇总" if view.hidden else "") + "。")
    if meeting:
        return
    names = {n.id: f"{tables.plan_label(view.plans.get(n.plan or ''), '')} · {n.title}" for n in shown}
    d1, d2 = st.columns([3, 1])
    more = d1.selectbox("展开某个节点的上下一层（含重叠任务）", [i for i in names if i not in expanded],
                        format_func=names.get, key=f"tr_more_{focus}")
    if d2.button("展开一层", key="tr_expand") and more:
        st.session_state["tr_expanded"] = expanded + [more]
        st.rerun()
    if expanded and d2.button("收起全部", key="tr_collapse"):
        st.session_state["tr_expanded"] = []
        st.rerun()
    nf = tables.pd.DataFrame([{"层级": LEVEL_ZH.get(n.level, ""), "规划": tables.plan_label(view.plans.get(n.plan or ''), ''),
                               "类型": LABEL_ZH.get(n.label, n.label), "标题": n.title, "相对层数": n.depth,
                               "责任单位": "；".join(a for a, _ in n.agencies), "ID": n.id}
                              for n in shown]).sort_values(["相对层数", "规划"])
    with st.expander(f"节点列表（{len(nf)}）"):
        st.dataframe(nf, hide_index=True, width="stretch")
    e1, e2, e3 = st.columns(3)
    with e1:
        layout.download_xlsx(nf, f"追溯_{node.title[:12]}", key="x_trace")
    e2.download_button("导出 HTML（当前图）", graph_html.encode("utf-8"), file_name=f"追溯_{node.title[:12]}.html",
                       mime="text/html", key="x_trace_html")
    if chromium_path():
        if e3.button("生成 PNG（服务器端）", key="tr_png_btn"):
            with st.spinner("正在生成图片…"):
                try:
                    st.session_state["tr_png"] = html_to_png(graph_html)
                except Exception as exc:  # noqa: BLE001
                    st.error(f"生成 PNG 失败：{exc}")
        if st.session_state.get("tr_png"):
            e3.download_button("下载 PNG", st.session_state["tr_png"], file_name=f"追溯_{node.title[:12]}.png",
                               mime="image/png", key="x_trace_png")


if store is not None:
    url_id = st.query_params.get("id")
    if url_id and not valid_id(url_id):  # a crafted link must not put its text on the page
        st.warning("链接中的条目编号格式不正确，已忽略。")
        url_id = None
    if url_id and url_id != st.session_state.get("_tr_url"):
        st.session_state["_tr_url"] = url_id
        _set_focus(url_id)
    focus = st.session_state.get("focus")
    if focus and store.node(focus) is None:
        st.warning(f"图中没有条目 {md_text(focus)}，请重新选择。")
        focus = None
    meeting = layout.meeting()
    with st.expander("选择目标（任务、项目或指标）" + ("" if not focus else "：点击展开更换"), expanded=not focus):
        focus = _picker(focus)
    node = store.node(focus) if focus else None
    if node is not None:
        plan = store.node(node.plan) if node.plan else None
        st.subheader(f"{md_text(tables.plan_label(plan, ''))} · {LABEL_ZH.get(node.label, '')}：{md_text(node.title)}")
        mode = st.radio("视图", ["去向（向下承接，含未承接）", "完整上下级链"], horizontal=True, key="tr_mode",
                        label_visibility="collapsed")
        if mode.startswith("去向"):
            _goal_section(node, meeting)
        else:
            _chain_section(node, focus, meeting)
    else:
        st.info("请在上方搜索或选择一个任务、项目或指标。")
