"""Page registry, sidebar and shared page chrome (meeting mode, backend line, empty-store message)."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from ..models import UPPER
from .data import CachedStore, describe_backend, get_store, refresh
from .style import BASE_CSS, LABEL_ZH, MEETING_CSS, PAGE_SPECS

PAGES_DIR = Path(__file__).parent / "pages"
def build_pages() -> dict[str, st.Page]:
    """st.Page objects by url path; kept in session state so pages can switch to each other."""
    pages = {url: st.Page(PAGES_DIR / file, title=title, url_path=url, icon=icon, default=(url == "overview"))
             for file, title, url, icon in PAGE_SPECS}
    st.session_state["_pg_pages"] = pages
    return pages


def goto(url_path: str, **query) -> None:
    """Switch to another page, e.g. ``goto("trace", id=...)`` from a table row."""
    if "id" in query:
        st.session_state["focus"] = query["id"]
    pages = st.session_state.get("_pg_pages") or {}
    st.switch_page(pages.get(url_path) or str(PAGES_DIR / f"{url_path}.py"))


def meeting() -> bool:
    return bool(st.session_state.get("meeting"))


def sidebar() -> None:
    """Backend and database, counts, the meeting-mode toggle and a refresh button — on every page."""
    if "meeting" not in st.session_state:
        st.session_state["meeting"] = st.query_params.get("meeting") in ("1", "true", "yes")
    with st.sidebar:
        st.toggle("会议模式（大字、少标签、聚焦一个目标）", key="meeting")
        try:
            store = get_store()
            name, where = describe_backend(store.raw)
            st.caption(f"数据来源：**{name}** · {where}")
            counts = store.counts()
            if counts:
                st.caption("　".join(f"{LABEL_ZH.get(k, k)} {v}" for k, v in counts.items()
                                    if k in ("Plan", "Task", "Project", "Indicator", "Agency", UPPER)))
        except Exception as exc:  # noqa: BLE001 - the sidebar must never take the page down
            st.error(f"无法打开图谱存储：{exc}")
        if st.button("刷新数据", help="清除缓存，重新读取图谱"):
            refresh()
    st.markdown(BASE_CSS, unsafe_allow_html=True)
    if meeting():
        st.markdown(MEETING_CSS, unsafe_allow_html=True)


def page_store(title: str) -> CachedStore | None:
    """Title + the store; None (after a clear Chinese message) when there is no graph to show."""
    st.title(title)
    try:
        store = get_store()
        counts = store.counts()
    except Exception as exc:  # noqa: BLE001
        st.error(f"无法读取图谱：{exc}")
        return None
    if not counts:
        st.info("图谱为空。请先构建：`plangraph build data/plans`，或设置 PLANGRAPH_STORE / NEO4J_URI 指向已有图谱。")
        return None
    return store


def download_xlsx(df, name: str, key: str, sheet: str = "数据") -> None:
    """The one xlsx button every table gets; the file is made only when clicked (deferred callable)."""
    from .export import to_xlsx

    if df is None or getattr(df, "empty", True):
        return
    st.download_button(f"导出 Excel：{name}", lambda: to_xlsx(df, sheet), file_name=f"{name}.xlsx", key=key,
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def briefing_buttons(node_id: str, title: str, col_pptx, col_docx) -> None:
    """汇报材料 in one click: .pptx to show and .docx to file; made only when clicked (deferred callables)."""
    from ..briefing import briefing_bytes
    from .data import get_store

    def make(suffix: str):
        return lambda: briefing_bytes(get_store(), node_id, suffix)  # the indexed facade: fast on the national graph

    name = f"汇报材料_{title[:12]}"
    col_pptx.download_button("汇报材料（PPT）", make(".pptx"), file_name=f"{name}.pptx", key=f"x_brief_pptx_{node_id}",
                             mime="application/vnd.openxmlformats-officedocument.presentationml.presentation")
    col_docx.download_button("汇报材料（Word）", make(".docx"), file_name=f"{name}.docx", key=f"x_brief_docx_{node_id}",
                             mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


PAGE_ROWS = 100  # rows a table shows at once; the rest is a page turn (or the Excel export) away
PLAN_PICK_MAX = 200  # above this many plans a plan picker asks for the province first


def paged(df, key: str, size: int | None = None, what: str = "行"):
    """The slice of *df* on the page the user chose; a page number only when there is more than one page.

    Why: at national scale a table can have tens of thousands of rows, and every rerun would send all of them
    to the browser. One page is bounded whatever the corpus; the export button still writes the whole table."""
    size = size or PAGE_ROWS
    n = 0 if df is None else len(df)
    if n <= size:
        return df
    pages = -(-n // size)
    if st.session_state.get(key, 1) > pages:  # the filter shrank the table: stay on its last page
        st.session_state[key] = pages
    c1, c2 = st.columns([1, 3], vertical_alignment="bottom")
    page = int(c1.number_input("页码", min_value=1, max_value=pages, value=1, step=1, key=key))
    c2.caption(f"第 {page}/{pages} 页：共 {n} {what}，本页第 {(page - 1) * size + 1}–{min(n, page * size)} {what}。"
               "导出 Excel 含全部。")
    return df.iloc[(page - 1) * size: page * size]


def plan_picker(store, plan_ids: list[str], label: str, key: str, default: str | None = None,
                names: dict | None = None) -> str | None:
    """Pick one plan. Up to PLAN_PICK_MAX plans: one list. Above: the province first (省级及以下规划按所属省份),
    then the plans of that province, so nobody scrolls through 3,000 plans."""
    from .data import plan_province
    from .tables import plan_label

    if not plan_ids:
        return None
    if names is None:
        names = {pid: f"{plan_label(store.node(pid), pid)} · {store.node(pid).title if store.node(pid) else pid}"
                 for pid in plan_ids}
    default = default if default in plan_ids else plan_ids[0]
    if len(plan_ids) > PLAN_PICK_MAX:
        prov = plan_province(store)
        groups: dict[str, list[str]] = {}
        for pid in plan_ids:
            groups.setdefault(prov.get(pid, "其他"), []).append(pid)
        regions = list(groups)
        region_key = f"{key}_region"
        if st.session_state.get(region_key) not in groups:
            st.session_state[region_key] = prov.get(default, regions[0]) if prov.get(default) in groups else regions[0]
        c1, c2 = st.columns([1, 3])
        region = c1.selectbox("省份", regions, key=region_key,
                              format_func=lambda r: f"{r}（{len(groups[r])} 个规划）")
        plan_ids = groups[region]
        where = c2
    else:
        where = st
    if st.session_state.get(key) not in plan_ids:
        st.session_state[key] = default if default in plan_ids else plan_ids[0]
    return where.selectbox(label, plan_ids, format_func=lambda pid: names.get(pid, pid), key=key)
