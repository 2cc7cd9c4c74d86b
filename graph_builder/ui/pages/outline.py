"""规划: any plan's outline tree with item counts per section."""
import html

import streamlit as st

from graph_builder.safeout import md_text
from graph_builder.ui import layout, tables
from graph_builder.ui.data import plans

store = layout.page_store("规划大纲")
if store is not None:
    loaded = [p for p in plans(store) if p.get("loaded", True)]
    if not loaded:
        st.info("没有已载入的规划。")
    else:
        opts = {p.id: f"{tables.plan_label(p)} · {p.title}" for p in loaded}
        pid = layout.plan_picker(store, list(opts), "规划", key="ol_plan", names=opts)  # by province above 200 plans
        p = store.node(pid)
        st.caption(" · ".join(md_text(x) for x in (p.get("issuer"), p.get("date"), p.get("doc_no")) if x))
        rows = tables.outline_rows(store, pid)
        if not rows:
            st.info("该规划没有章节结构。")
        else:
            show_items = st.toggle("显示条目", value=not layout.meeting(), key="ol_items")
            lines = []
            for r in rows:
                pad = "&emsp;" * 2 * (r["层次"] - 1)
                badge = "，".join(f"{k} {r[k]}" for k in ("任务", "项目", "指标") if r[k])
                lines.append(f"{pad}<b>{html.escape(r['标题'])}</b> <span style='color:#888'>{('（' + badge + '）') if badge else ''}</span>")
                if show_items:
                    lines += [f"{pad}&emsp;&emsp;· {html.escape(t)}" for t in r["条目"]]
            st.markdown("<div class='pg-tree'>" + "<br>".join(lines) + "</div>", unsafe_allow_html=True)
            of = tables.outline_frame(rows)
            with st.expander("大纲表格"):
                st.dataframe(of, hide_index=True, width="stretch", column_config={"ID": None})
            layout.download_xlsx(of, f"大纲_{tables.plan_label(p)}", key="x_outline")
