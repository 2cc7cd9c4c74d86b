"""责任: one plan at a time — who leads, supports or owns each task and where that comes from (默认 by the
issuing body, 正文, 分工方案); the role-coloured matrix; and the 任务分工方案 round trip (draft → fill → read back)."""
import html
from collections import Counter

import altair as alt
import streamlit as st

from graph_builder import division
from graph_builder.errors import GraphBuilderError
from graph_builder.ui import layout, tables
from graph_builder.ui.data import plans, refresh, try_query
from graph_builder.ui.style import ROLE_COLOR, ROLE_ORDER

store = layout.page_store("责任分工")


def _division_section(plan) -> None:
    st.subheader("任务分工方案")
    st.caption("① 下载草稿（每个任务一行，按关键词建议牵头/配合单位，完成时限取自正文）→ ② 填写 → ③ 上传读回，"
               "生成牵头/配合关系；再次上传会替换此前读入的分工方案。")
    c1, c2 = st.columns(2)
    c1.download_button("下载分工方案草稿（Excel）",
                       lambda: division.draft_bytes(plan.title, division.draft_rows(store.raw, plan.id)),
                       file_name=f"分工方案_{tables.plan_label(plan)}.xlsx", key=f"x_division_{plan.id}",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    up = c2.file_uploader("上传已填写的分工方案（.xlsx / .csv / .docx）", type=["xlsx", "csv", "docx"], key=f"rs_up_{plan.id}")
    if up is not None and st.session_state.get("_rs_loaded") != (plan.id, up.file_id):
        import tempfile
        from pathlib import Path

        try:
            with tempfile.TemporaryDirectory(prefix="plangraph-upload-") as tmp:
                f = Path(tmp) / Path(up.name).name
                f.write_bytes(up.getvalue())
                rows = division.read_division_file(f)
            graph = store.raw.load()
            res = division.load_division(graph, graph.nodes[plan.id], rows, Path(up.name).name)
            store.raw.replace_all(graph)
        except GraphBuilderError as exc:
            st.error(f"读取分工方案失败：{exc}")
            return
        st.session_state["_rs_loaded"] = (plan.id, up.file_id)
        refresh()
        st.session_state["rs_msg"] = (f"已读入 {up.name}：{res.rows} 行，新增责任关系 {res.added} 条，替换此前分工方案 {res.removed} 条"
                                      + ("；" + "；".join(res.warnings[:3]) if res.warnings else ""))
        st.rerun()


def _most_explicit(ids: list[str]) -> str:
    rows = try_query(store, "responsibility") or []
    leads = Counter(r["plan"] for r in rows if r["role"] != "主责")
    pos = {pid: i for i, pid in enumerate(ids)}
    return max(ids, key=lambda i: (leads.get(i, 0), -pos[i]))


def _by_plan(rows: list[dict]) -> dict[str, list[dict]]:
    """Rows of a national query split by plan once per store version (a rerun then reads one plan's list)."""
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r["plan"], []).append(r)
    return out


if store is not None:
    if st.session_state.get("rs_msg"):
        st.success(st.session_state.pop("rs_msg"))
    loaded = [p for p in plans(store) if p.get("loaded", True)]
    names = {p.id: f"{tables.plan_label(p)} · {p.title}" for p in loaded}
    ids = list(names)
    if not ids:
        st.info("没有已载入的规划。")
        st.stop()
    want = st.query_params.get("plan")
    if want not in ids:  # open on the plan whose roles are most explicit (e.g. the one a 分工方案 was read into)
        want = store.memo("rs_default_plan", lambda: _most_explicit(ids))
    plan_id = layout.plan_picker(store, ids, "规划（一次看一个）", key="rs_plan", default=want, names=names)
    plan = store.node(plan_id)
    rows = try_query(store, "responsibility", plan=plan_id)
    if rows is not None:
        by_task = tables.responsibility_by_task(store, plan_id, rows)
        text = st.text_input("任务包含", key="rs_text", placeholder="例如：食品")
        if text:
            by_task = by_task[by_task["任务"].str.contains(text, regex=False)
                              | by_task["正文"].str.contains(text, regex=False)]
        leads = by_task[by_task["牵头"] != ""]
        who = Counter(a for cell in leads["牵头"] for a in cell.split("、") if a)
        st.markdown(f"<div id='pg-rs-summary'>{html.escape(tables.plan_label(plan))}"
                    f"{('（含“' + html.escape(text) + '”）') if text else ''}：{len(by_task)} 项任务，"
                    f"{len(leads)} 项已明确牵头单位"
                    + ("；牵头：" + "、".join(f"<b>{html.escape(a)}</b> {n} 项" for a, n in who.most_common(5)) if who else "")
                    + "</div>", unsafe_allow_html=True)
        layout.download_xlsx(by_task, f"责任_{tables.plan_label(plan)}", key="x_resp_task")
        shown = layout.paged(by_task, f"rs_page_{plan_id}", what="项任务")
        st.dataframe(shown.drop(columns=["正文"]), hide_index=True, width="stretch", column_config={"ID": None},
                     height=min(520, 38 + 35 * max(1, len(shown))))

        long, matrix, work = tables.responsibility_frames(store, rows)
        if not long.empty:
            st.subheader("各部门工作量")
            c1, c2 = st.columns([2, 3])
            c1.dataframe(work, hide_index=True, width="stretch")
            melted = work.melt(id_vars=["部门"], value_vars=[r for r in ROLE_ORDER if r in work], var_name="角色", value_name="任务数")
            chart = alt.Chart(melted[melted["任务数"] > 0]).mark_bar().encode(
                y=alt.Y("部门:N", sort="-x", title=None), x=alt.X("任务数:Q", stack=True),
                color=alt.Color("角色:N", scale=alt.Scale(domain=list(ROLE_ORDER), range=[ROLE_COLOR[r] for r in ROLE_ORDER]),
                                legend=alt.Legend(title="角色")))
            c2.altair_chart(chart.properties(height=max(160, 32 * len(work))), width="stretch")
            st.subheader("部门 × 任务（角色）")
            legend = "".join(f"<span style='background:{ROLE_COLOR[r]};color:{'#111' if r == '配合' else '#fff'};"
                             f"padding:2px 10px;border-radius:8px;margin-right:6px'>{r}</span>" for r in ROLE_ORDER)
            st.markdown(f"<div class='pg-legend-roles'>{legend}</div>", unsafe_allow_html=True)
            m = matrix.loc[:, (matrix != "").any(axis=0)]
            st.dataframe(m.style.map(tables.role_colour), width="stretch")
            layout.download_xlsx(m, "责任矩阵", key="x_matrix")
    _division_section(plan)

    st.subheader("无责任单位的任务")
    orph = try_query(store, "orphans", kind="no_agency")
    if orph is not None:
        by_plan = store.memo("no_agency_by_plan", lambda: _by_plan(orph))
        of = tables.orphans_frame(store, by_plan.get(plan_id, []))
        st.caption(f"共 {len(of)} 项")
        if not of.empty:
            st.dataframe(layout.paged(of[["规划", "类型", "标题", "ID"]], f"rs_orph_page_{plan_id}", what="项"),
                         hide_index=True, width="stretch", column_config={"ID": None})
