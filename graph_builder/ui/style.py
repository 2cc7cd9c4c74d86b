"""Chinese labels, level colours and the meeting-mode stylesheet — one place, so every page reads the same."""
from __future__ import annotations

LEVEL_ZH = {"national": "国家级", "province": "省级", "city": "地市级", "county": "县级", None: "未知层级"}
LEVEL_COLOR = {"national": "#c0392b", "province": "#d68910", "city": "#2471a3", "county": "#1e8449", None: "#7f8c8d"}
LABEL_ZH = {"Task": "任务", "Project": "项目", "Indicator": "指标", "Plan": "规划", "Section": "章节",
            "Agency": "部门", "Region": "地区"}
STATUS_ZH = {"suggested": "待审核", "linked": "已自动关联", "accepted": "已确认", "rejected": "已否决", "suspect": "存疑（文本已变）", None: "—"}
ORPHAN_KIND_ZH = {"no_upper": "无上级对应", "not_picked_up": "未被下级承接", "no_agency": "无责任单位"}
REASON_ZH = {"local": "已标记为本地特色", "upper_not_loaded": "上级规划未载入", "no_match": "上级规划中无匹配内容", "pending_review": "待审核（有候选上级）",
             "not_broken_down": "下级规划未分解落实", "no_agency": "未明确责任单位"}
OVERLAP_KIND_ZH = {"peer": "同级规划重叠", "same_region": "同地区规划重叠", "within_plan": "规划内重复"}
ROLE_ORDER = ("牵头", "主责", "配合")
ROLE_COLOR = {"牵头": "#c0392b", "主责": "#7d3c98", "配合": "#aed6f1"}  # the matrix, the chart and the legend share these
FLAG_ZH = {"weaker_target": "目标弱于上级", "missing_baseline": "缺少基期值", "unit_mismatch": "单位不一致",
           "attribute_mismatch": "属性不一致（约束性/预期性）", "cumulative_mismatch": "累计/年度口径不一致",
           "period_mismatch": "口径不一致（期间新增/累计）", "missing_target": "缺少目标值"}
QUERY_ZH = {"trace_up": "向上追溯", "trace_down": "向下追溯", "orphans": "孤立项", "overlaps": "重叠任务",
            "responsibility": "责任分工", "coverage": "覆盖度", "indicator_flags": "指标一致性", "search": "全文检索"}

# (file, title, url path, icon) — order is the navigation order
PAGE_SPECS = (
    ("overview.py", "概览", "overview", ":material/dashboard:"),
    ("trace.py", "追溯", "trace", ":material/account_tree:"),
    ("orphans.py", "孤立与重叠", "orphans", ":material/rule:"),
    ("responsibility.py", "责任", "responsibility", ":material/groups:"),
    ("indicators.py", "指标", "indicators", ":material/monitoring:"),
    ("outline.py", "规划", "outline", ":material/list_alt:"),
    ("search.py", "检索", "search", ":material/search:"),
)
BASE_CSS = """


<style>
  .pg-legend span {display:inline-block; padding:2px 10px; margin-right:6px; border-radius:10px; color:#fff; font-size:0.85em}
  mark.pg-shared {background:#fde68a; padding:0 1px}
  .pg-text {line-height:1.8; font-size:1.02em; border:1px solid #e5e7eb; border-radius:6px; padding:10px 12px; background:#fafafa}
  .pg-tree {line-height:1.9}
  .pg-h {font-size:1.25em; font-weight:600; margin:0.8em 0 0.2em 0}
</style>
"""

MEETING_CSS = """
<style>
  html, body, .stApp {font-size: 21px !important; background: #ffffff !important;}
  .stApp p, .stApp li, .stApp label, .stApp .stMarkdown {font-size: 1.15rem !important;}
  .stApp h1 {font-size: 2.6rem !important;} .stApp h2 {font-size: 2.0rem !important;} .stApp h3 {font-size: 1.6rem !important;}
  header[data-testid="stHeader"], footer, #MainMenu, [data-testid="stToolbar"], [data-testid="stDecoration"] {display: none !important;}
  .block-container {padding-top: 1rem !important; max-width: 100% !important;}
  [data-testid="stCaptionContainer"] {display: none !important;}
</style>
"""


def level_legend_html() -> str:
    """A small colour legend for the level colours used in graphs and tables."""
    spans = "".join(f'<span style="background:{LEVEL_COLOR[k]}">{LEVEL_ZH[k]}</span>'
                    for k in ("national", "province", "city", "county"))
    return f'<div class="pg-legend">{spans}</div>'


def short(text: str, n: int) -> str:
    """Cut a title for a graph label; long Chinese titles make unreadable node clouds on a projector."""
    text = (text or "").strip()
    return text if len(text) <= n else text[: n - 1] + "…"


def page_icon():
    """The tab icon, drawn here: a ``:material/...:`` icon would make the browser fetch it from a font CDN,
    and the explorer must not contact any outside server."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((22, 4, 42, 20), 4, fill=LEVEL_COLOR["province"])
    d.line((32, 20, 32, 30, 12, 30, 12, 42), fill="#555555", width=3)
    d.line((32, 30, 52, 30, 52, 42), fill="#555555", width=3)
    d.rounded_rectangle((2, 42, 22, 58), 4, fill=LEVEL_COLOR["city"])
    d.rounded_rectangle((42, 42, 62, 58), 4, fill=LEVEL_COLOR["city"])
    return img
