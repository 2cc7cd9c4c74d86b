"""追溯: pick a task/project/indicator and see its chain up and down all levels (pyvis, hierarchical, capped)."""
import html

import streamlit as st
import streamlit.components.v1 as components

from graph_builder.errors import GraphBuilderError
from graph_builder.ui import layout, tables
from graph_builder.ui.data import item_label, plans, trace_view, try_query
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


if store is not None:
    url_id = st.query_params.get("id")
    if url_id and url_id != st.session_state.get("_tr_url"):
        st.session_state["_tr_url"] = url_id
        _set_focus(url_id)
    focus = st.session_state.get("focus")
    if focus and store.node(focus) is None:
        st.warning(f"图中没有条目 {focus}，请重新选择。")
        focus = None
    meeting = layout.meeting()

    with st.expander("选择目标（任务、项目或指标）", expanded=not (meeting and focus)):
        c1, c2 = st.columns([2, 3])
        text = c1.text_input("搜索", key="tr_text", placeholder="输入关键词，例如：知识产权")
        options: list[str] = []
        if text.strip():
            rows = try_query(store, "search", text=text.strip(), limit=50) or []
            options = [r["id"] for r in rows if r["label"] in ITEM_LABELS]
        else:
            loaded = [p for p in plans(store) if p.get("loaded", True)]
            pl = {p.id: tables.plan_label(p) for p in loaded}
            cur = store.node(focus).plan if focus else None
            if pl:
                pid = c1.selectbox("或按规划浏览", list(pl), format_func=pl.get,
                                   index=list(pl).index(cur) if cur in pl else 0, key=f"tr_plan_{cur}")
                options = [n.id for n in sorted(store.nodes(plan=pid), key=lambda n: (n.get("line") or 0, n.id))
                           if n.label in ITEM_LABELS]
        if focus and focus not in options:
            options = [focus, *options]
        if options:
            pick = c2.selectbox("条目", options, index=options.index(focus) if focus in options else 0,
                                format_func=lambda i: item_label(store, store.node(i)) if store.node(i) else i,
                                key=f"tr_pick_{focus}")
            if pick != focus:
                _set_focus(pick)
                st.query_params["id"] = pick
                st.session_state["_tr_url"] = pick
                focus = pick
        else:
            c2.info("没有匹配的条目。")

    node = store.node(focus) if focus else None
    if node is not None:
        st.subheader(f"{LABEL_ZH.get(node.label, '')}：{node.title}")
        if not meeting:
            a, b, c = st.columns(3)
            depth = a.slider("追溯层数", 1, 6, 6, key="tr_depth")
            cap = b.number_input("每页最多节点", 20, 1000, 300, step=20, key="tr_cap")
        else:
            depth, cap = 6, 60  # fewer nodes on a projector
        expanded = list(st.session_state.get("tr_expanded", []))
        page = int(st.session_state.get("tr_page", 0))
        try:
            view, graph_html = trace_view(store, focus, expanded, max_depth=depth, cap=int(cap), page=page, meeting=meeting)
        except GraphBuilderError as exc:
            st.warning(f"追溯查询暂不可用：{exc}", icon=":material/warning:")
            view = None
        if view is not None:
            shown = [n for n in view.nodes.values() if not n.aggregate]
            if view.pages > 1:
                p = (c if not meeting else st).selectbox("页", range(view.pages), index=view.page,
                                                        format_func=lambda i: f"第 {i + 1} / {view.pages} 页", key="tr_page_sel")
                if p != view.page:
                    st.session_state["tr_page"] = p
                    st.rerun()
            st.markdown(level_legend_html(), unsafe_allow_html=True)
            st.markdown(f"<div id='pg-plans'>图中规划：{html.escape(' → '.join(view.plan_names()))}</div>",
                        unsafe_allow_html=True)
            if len(view.nodes) == 1:
                st.info("该条目没有上下级关联（可能是本地特色任务，或上级规划未载入）。")
            if not meeting:
                st.caption(f"上下级链共 {view.total} 个条目，本页显示 {len(shown)} 个"
                           + (f"，另有 {view.hidden} 个已汇总" if view.hidden else "") + "。点击节点查看正文、依据与责任单位。")
            components.html(graph_html, height=720 if meeting else 640, scrolling=False)

            if not meeting:
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

                det = st.selectbox("节点详情", list(names), format_func=names.get, key=f"tr_detail_{focus}")
                n = view.nodes[det]
                plan_title = view.plans[n.plan].title if n.plan in view.plans else ""
                st.markdown(f"**{n.title}**　{LABEL_ZH.get(n.label, '')} · {LEVEL_ZH.get(n.level, '')} · {plan_title}")
                if n.text:
                    st.markdown(f"<div class='pg-text'>{html.escape(n.text)}</div>", unsafe_allow_html=True)
                st.markdown("**责任单位**：" + ("；".join(f"{a}（{r}）" for a, r in n.agencies) if n.agencies else "未明确"))
                for e in view.edges:
                    if e.type == "上级规划" and det in (e.source, e.target):
                        other = view.nodes[e.target if e.source == det else e.source]
                        arrow = "上级" if e.source == det else "下级"
                        st.markdown(f"- {arrow}：{other.title}（得分 {e.score}，{STATUS_ZH.get(e.status, e.status)}）"
                                    + (f"　依据：{e.evidence}" if e.evidence else ""))

                nf = tables.pd.DataFrame([{"层级": LEVEL_ZH.get(n.level, ""), "规划": tables.plan_label(view.plans.get(n.plan or ''), ''),
                                           "类型": LABEL_ZH.get(n.label, n.label), "标题": n.title,
                                           "相对层数": n.depth, "责任单位": "；".join(a for a, _ in n.agencies), "ID": n.id}
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
                else:
                    e3.caption("PNG：请使用图中左上角“下载 PNG”按钮。")
    else:
        st.info("请在上方搜索或选择一个任务、项目或指标。")
