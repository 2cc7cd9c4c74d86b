"""孤立与重叠: orphans people can act on (counts per plan and reason on top), overlaps, side-by-side texts with
shared passages, and review decisions. 上级规划未载入 is one line per missing upper plan, not hundreds of rows."""
import html

import streamlit as st

from graph_builder.errors import GraphBuilderError
from graph_builder.safeout import md_text
from graph_builder.ui import layout, review_adapter, tables
from graph_builder.ui.data import plan_province, plans, refresh, try_query
from graph_builder.orphan_report import REASON_ZH as ACTION_ZH
from graph_builder.orphan_report import summarise
from graph_builder.ui.style import ORPHAN_KIND_ZH, OVERLAP_KIND_ZH, STATUS_ZH

store = layout.page_store("孤立与重叠")
MISSING_MAX = 50  # one line per lower plan whose upper plan is missing; the rest are counted


def side_by_side(a_id: str, b_id: str, a_head: str, b_head: str) -> None:
    """Two texts next to each other with what they share highlighted — why a link or overlap was suggested."""
    a, b = store.node(a_id), store.node(b_id)
    if a is None or b is None:
        st.warning("条目已不在图中。")
        return
    ta, tb = str(a.get("text") or a.title), str(b.get("text") or b.title)
    ha, hb, share = tables.highlight_pair(ta, tb)
    st.caption(f"黄色为两段共有的文字（至少 6 字）；共有部分占左侧正文 {share:.0%}。")
    c1, c2 = st.columns(2)
    c1.markdown(f"**{a_head}**：{md_text(a.title)}", help=md_text(a.id))
    c1.markdown(f"<div class='pg-text'>{ha}</div>", unsafe_allow_html=True)
    c2.markdown(f"**{b_head}**：{md_text(b.title)}", help=md_text(b.id))
    c2.markdown(f"<div class='pg-text'>{hb}</div>", unsafe_allow_html=True)


def record(action: str, source: str, target: str | None, done: str) -> None:
    try:
        path = review_adapter.decide(action, source, target, store.raw)
        applied = review_adapter.apply_to_store(store.raw, path)
    except (GraphBuilderError, OSError) as exc:
        st.error(f"保存审核决定失败：{exc}")
        return
    refresh()
    st.session_state["rv_msg"] = done + ("" if applied else "（Neo4j：重新加载图谱后生效）") + f" · 已写入 {path}"
    st.rerun()


def _actionable_frames():
    """Summary, plan × reason pivot and the actionable rows as a frame: computed once per store version.
    Both frames carry the plan's province (``_prov``) so the 省份 filter is a slice, not a recomputation."""
    summ = summarise(store)
    prov = plan_province(store)
    name = lambda pid: tables.plan_label(store.node(pid), pid)  # noqa: E731
    counts = tables.pd.DataFrame([{"规划": name(p), "_prov": prov.get(p, "其他"), "原因": ACTION_ZH.get(r, r), "条目": n}
                                  for (p, r), n in summ.counts.items()])
    pivot = None
    if not counts.empty:
        pivot = counts.pivot_table(index=["_prov", "规划"], columns="原因", values="条目", aggfunc="sum", fill_value=0)
        pivot.insert(0, "合计", pivot.sum(axis=1))
        pivot = pivot.sort_values("合计", ascending=False, kind="stable").reset_index()
    df = tables.pd.DataFrame([{"规划": name(r["plan"]), "原因": ACTION_ZH.get(r["reason"], r["reason"]),
                               "类型": tables.LABEL_ZH.get(r["label"], r["label"]), "标题": r["title"],
                               "候选上级": "；".join(f"{tables.plan_label(store.node(store.node(t).plan) if store.node(t) else None)}·"
                                                   f"{store.node(t).title if store.node(t) else t}（{sc}）" for t, sc in r["candidates"][:3]),
                               "ID": r["id"], "_prov": prov.get(r["plan"], "其他")} for r in summ.rows],
                             columns=["规划", "原因", "类型", "标题", "候选上级", "ID", "_prov"])
    return summ, pivot, df


def _province_filter(key: str, regions) -> str | None:
    """At national scale every orphan table can be narrowed to one province (None = all)."""
    if len(plans(store)) <= layout.PLAN_PICK_MAX:
        return None
    regions = list(dict.fromkeys(regions))
    pick = st.selectbox("省份", [None, *regions], format_func=lambda r: "全国" if r is None else r, key=key)
    return pick


def _split(df, prov: str | None, text: str):
    """The actionable rows of one province (None = all) whose title contains *text*, and per reason its rows
    with the headline 'plan n 项、…' (the 20 plans with most rows)."""
    if prov is not None:
        df = df[df["_prov"] == prov]
    if text:
        df = df[df["标题"].str.contains(text, regex=False)]
    df = df.drop(columns=["_prov"])
    parts = {}
    for reason, part in df.groupby("原因", sort=False):
        vc = part["规划"].value_counts()
        per = "、".join(f"{p} {n} 项" for p, n in vc.head(20).items()) + (f" 等 {len(vc)} 个规划" if len(vc) > 20 else "")
        parts[next(k for k, v in ACTION_ZH.items() if v == reason)] = (part, per)
    return df, parts


def _actionable(plan_names: dict) -> None:
    """The default view: counts per plan × reason, then one list per actionable reason, then missing plans.
    Every list shows one page of rows; the headline counts and the Excel export cover them all."""
    try:
        summ, pivot, df = store.memo("orphans_actionable", _actionable_frames)
    except GraphBuilderError as exc:
        st.error(f"孤立项查询失败：{exc}")
        return
    name = lambda pid: tables.plan_label(store.node(pid), pid)  # noqa: E731
    prov = _province_filter("or_prov", plan_province(store).values())
    if prov is not None and pivot is not None:
        pivot = pivot[pivot["_prov"] == prov]
    if pivot is not None and not pivot.empty:
        st.dataframe(layout.paged(pivot.drop(columns=["_prov"]), "or_pivot_page", what="个规划"),
                     hide_index=True, width="stretch")
    text = st.text_input("标题包含", key="or_text", placeholder="例如：食品")
    # without a title filter (the usual visit) the per-province split is made once per store version
    df, parts = (_split(df, prov, text) if text else store.memo(("orphans_parts", prov), lambda: _split(df, prov, "")))
    left, right = st.columns(2)  # the pair a meeting asks about side by side: no upper source | not picked up
    shown: dict[str, object] = {}
    for reason, hint, where in (("no_match", "下级规划中的任务，在已载入的上级规划里找不到来源（可能是本地特色，可标记）", left),
                                ("not_broken_down", "上级规划的任务，已载入的下级规划没有分解落实", right),
                                ("review", "只有低分建议关联的条目：请在“审核上下级关联”中确认或否决", st.container())):
        if reason not in parts:
            continue
        part, per = parts[reason]
        where.markdown(f"<div id='pg-or-{reason}' class='pg-h'>{html.escape(ACTION_ZH[reason])}：{html.escape(per)}</div>",
                    unsafe_allow_html=True)
        where.caption(hint)
        cols = ["规划", "类型", "标题"] + (["候选上级"] if reason == "review" else [])
        with where:
            page = shown[reason] = layout.paged(part, f"or_page_{reason}", what="项")
        where.dataframe(page[cols + ["ID"]], hide_index=True, width="stretch", column_config={"ID": None},
                        height=min(420, 38 + 35 * len(page)))
    layout.download_xlsx(df, "需处理的孤立项", key="x_orphans_act")
    if summ.missing:
        st.markdown("<div id='pg-or-missing' class='pg-h'>上级规划未载入</div>", unsafe_allow_html=True)
        for m in summ.missing[:MISSING_MAX]:
            ups = "、".join(f"《{store.node(u).title}》" for u in m.uppers if store.node(u) is not None)
            st.markdown(f"- **{html.escape(name(m.lower))}**：{m.items} 项无法追溯；请载入 {html.escape(ups or '上级规划')}")
        if len(summ.missing) > MISSING_MAX:
            st.caption(f"另有 {len(summ.missing) - MISSING_MAX} 个规划的上级规划未载入（见“显示全部类别”）。")
    page = shown.get("no_match")
    if page is not None and not page.empty:  # the picker lists the no-source tasks on the page shown above
        st.markdown("**标记为本地特色**（有意没有上级来源，不再作为问题列出）")
        titles = dict(zip(page["ID"], page["规划"] + " · " + page["标题"]))
        pick = st.selectbox("任务（上方“上级规划中无对应”本页所列）", list(titles), format_func=titles.get, key="or_local_pick")
        if store.node(pick) is not None and store.node(pick).get("local"):
            st.caption("该任务已标记为本地特色。")
        elif st.button("标记为本地特色", key="or_local"):
            record("local", pick, None, f"已标记为本地特色：{titles[pick]}")


def _all_frame(kinds: tuple) -> tuple:
    rows, failed = [], False
    for k in kinds:
        got = try_query(store, "orphans", kind=k)
        failed |= got is None
        rows += got or []
    return tables.orphans_frame(store, rows), failed


def _all_orphans() -> None:
    kinds = st.multiselect("类别", list(ORPHAN_KIND_ZH), default=list(ORPHAN_KIND_ZH), format_func=ORPHAN_KIND_ZH.get,
                           key="or_kinds")
    df, failed = _all_frame(tuple(kinds))
    if not failed:  # the frame is kept per store version once every query answered
        df = store.memo(("orphans_all", tuple(kinds)), lambda: df)
    f1, f2 = st.columns(2)
    plan_opts = store.memo(("orphans_all_plans", tuple(kinds)), lambda: sorted(df["规划"].unique()))
    pf = f1.multiselect("规划", plan_opts, key="or_plans", placeholder="全部")
    reasons = f2.multiselect("原因", sorted(df["原因"].unique()), key="or_reasons", placeholder="全部")
    if pf:
        df = df[df["规划"].isin(pf)]
    if reasons:
        df = df[df["原因"].isin(reasons)]
    if not failed or not df.empty:
        st.caption(f"共 {len(df)} 项")
        st.dataframe(layout.paged(df, "or_all_page", what="项"), hide_index=True, width="stretch", column_config={"ID": None})
        layout.download_xlsx(df, "孤立项", key="x_orphans")


if store is not None:
    if st.session_state.get("rv_msg"):
        st.success(st.session_state.pop("rv_msg"))
    # one section at a time (not st.tabs, which would compute and send all three on every rerun)
    SECTIONS = ("孤立项", "重叠任务", "审核上下级关联")
    section = st.segmented_control("查看", SECTIONS, default=SECTIONS[0], key="or_section") or SECTIONS[0]
    loaded = [p for p in plans(store) if p.get("loaded", True)]
    plan_names = {p.id: tables.plan_label(p) for p in loaded}

    if section == SECTIONS[0]:
        show_all = st.toggle("显示全部类别（含“上级规划未载入”“无责任单位”的逐条列表）", key="or_all")
        if not show_all:
            _actionable(plan_names)
        else:
            _all_orphans()

    elif section == SECTIONS[1]:
        o1, o2 = st.columns(2)
        okind = o1.selectbox("类型", [None, *OVERLAP_KIND_ZH], format_func=lambda k: "全部" if k is None else OVERLAP_KIND_ZH[k],
                             key="ov_kind")
        smin = o2.slider("最低相似度", 0.0, 1.0, 0.0, 0.05, key="ov_min")
        rows = try_query(store, "overlaps", kind=okind, min_score=smin)
        if rows is not None:
            odf = store.memo(("overlaps_frame", okind, smin), lambda: tables.overlaps_frame(store, rows))
            st.caption(f"共 {len(odf)} 对")
            layout.download_xlsx(odf, "重叠任务", key="x_overlaps")
            odf = layout.paged(odf, "ov_page", what="对")
            st.dataframe(odf, hide_index=True, width="stretch", column_config={"A": None, "B": None})
            if not odf.empty:
                labels = {i: f"{r['规划A']}·{r['任务A']} ↔ {r['规划B']}·{r['任务B']}（{r['相似度']}）" for i, r in odf.iterrows()}
                i = st.selectbox("对照查看", list(labels), format_func=labels.get, key="ov_pick")
                side_by_side(odf.at[i, "A"], odf.at[i, "B"], f"A（{odf.at[i, '规划A']}）", f"B（{odf.at[i, '规划B']}）")

    else:
        st.caption(f"审核决定与命令行 `plangraph review` 共用决定文件；当前由 {review_adapter.backend_name()} 记录。")
        r1, r2 = st.columns(2)
        cities = [p.id for p in loaded if p.get("level") == "city"]  # most suggestions sit there
        with r1:
            lower = layout.plan_picker(store, list(plan_names), "下级规划", key="rv_plan", names=plan_names,
                                       default=cities[0] if cities else (list(plan_names) or [None])[-1])
        statuses = r2.multiselect("状态", list(k for k in STATUS_ZH if k), default=["suggested", "suspect"],
                                  format_func=STATUS_ZH.get, key="rv_status")
        ldf = tables.links_frame(store, lower, statuses)
        st.caption(f"共 {len(ldf)} 条关联")
        layout.download_xlsx(ldf, "上下级关联", key="x_links")
        ldf = layout.paged(ldf, f"rv_page_{lower}", what="条")
        st.dataframe(ldf, hide_index=True, width="stretch", column_config={"下级ID": None, "上级ID": None})
        if not ldf.empty:
            labels = {i: f"[{r['状态']}] {r['下级条目']} → {r['上级规划']}·{r['上级条目']}（{r['得分']}）" for i, r in ldf.iterrows()}
            i = st.selectbox("逐条审核", list(labels), format_func=labels.get, key="rv_pick")
            src, dst = ldf.at[i, "下级ID"], ldf.at[i, "上级ID"]
            side_by_side(src, dst, "下级", f"上级（{ldf.at[i, '上级规划']}）")
            b1, b2, _ = st.columns([1, 1, 4])
            if b1.button("确认关联", key="rv_accept", type="primary", icon=":material/check:"):
                record("accept", src, dst, f"已确认：{ldf.at[i, '下级条目']} → {ldf.at[i, '上级条目']}")
            if b2.button("否决关联", key="rv_reject", icon=":material/close:"):
                record("reject", src, dst, f"已否决：{ldf.at[i, '下级条目']} → {ldf.at[i, '上级条目']}")
