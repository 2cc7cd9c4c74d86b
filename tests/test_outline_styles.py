"""Heading styles and item rules on small synthetic documents (one per style seen in real plans)."""
from __future__ import annotations

from graph_builder.pipeline import extract_all

from .conftest import write


def titles(tmp_path, text, name="plan.txt", label="Task"):
    ex, report = extract_all([write(tmp_path / name, text)])
    g = ex[0].graph
    return [n.title for n in sorted(g.nodes.values(), key=lambda n: n.props.get("line") or 0) if n.label == label], g


DOC_CHAPTERS = """示例市市场监管“十四五”规划
第一章 发展基础
“十三五”时期成效显著。全市市场主体增长百分之十，监管体制改革取得突破性进展。
第二章 深化改革，优化营商环境
坚持改革创新，持续优化营商环境，为市场主体提供便利。
一、深化商事制度改革。
(一)放宽企业登记限制。全面推行企业登记住所申报承诺制，简化手续。
(二)深化简易注销改革。进一步精简文书材料，压缩办理时间。
二、加强重点领域监管。
聚焦社会热点和群众关切，整顿市场秩序，净化市场环境。
第三章 强化规划实施保障
一、加强组织领导。
各级政府要充分认识规划实施的重要意义。
"""


def test_chapter_numbered_items_and_leaf_section(tmp_path):
    got, g = titles(tmp_path, DOC_CHAPTERS)
    assert got == ["放宽企业登记限制", "深化简易注销改革", "加强重点领域监管"]
    plan = next(g.by_label("Plan"))
    assert plan.props["title"] == "示例市市场监管“十四五”规划"
    assert plan.props["region"] is None, "示例市 is no real division: no region is invented for it"


DOC_LEADS = """一、主要任务
(一)优化市场发展环境，培育壮大市场主体。
坚持系统集成、协同高效，推进全面深化改革，激发市场活力。
深入推进商事制度改革。探索实施名称申报承诺制，允许新兴行业企业使用新名称。
深化涉企经营许可制度改革。推进“证照分离”改革全覆盖，建立健全许可事项清单。
专栏1 重点领域监管工程
网监数据中台。接入各成员单位的相关业务数据，汇聚互联网数据。
网监大数据平台。升级网监系统，建立风险感知预警体系。
全面提升行政服务效能。加强政务服务标准化建设，完善企业开办“六个一”体系，推进线上线下融合，实现企业开办全程网上办理，持续压缩开办时间，优化审批流程，推动涉企事项集成办理，推进电子证照和电子印章在各领域的应用，全面提升服务便利度和群众满意度，持续优化营商环境，推动更多事项实现跨省通办和一网通办，提升企业和群众的获得感。深化“一业一证”改革，拓展网上办、掌上办、就近办服务，全面提升企业注销登记效率，持续简化一般注销登记流程，实现企业“一网”注销。
二、保障措施
(一)加强组织实施。始终将党的领导贯穿规划实施全过程。
"""


def test_lead_sentences_intro_and_box_end(tmp_path):
    tasks, g = titles(tmp_path, DOC_LEADS)
    assert tasks == ["深入推进商事制度改革", "深化涉企经营许可制度改革", "全面提升行政服务效能"]
    projects = [(n.title, n.props["box"]) for n in g.nodes.values() if n.label == "Project"]
    assert sorted(projects) == [("网监大数据平台", "专栏1重点领域监管工程"), ("网监数据中台", "专栏1重点领域监管工程")]


DOC_ARABIC_FOOTNOTE = """四、主要任务
(一)营商环境创“优”
1.深入推进商事制度改革(注1)。探索实施名称申报承诺制，对于市场主体在
注1.“承诺制”指的是企业自主申报名称并作出承诺。
登记注册中遇到的问题，建立“首问负责”机制。
2.深化行政审批改革。依法减少市场监管行政审批事项。
"""


def test_arabic_items_footnotes_and_page_break_join(tmp_path):
    tasks, g = titles(tmp_path, DOC_ARABIC_FOOTNOTE)
    assert tasks == ["深入推进商事制度改革", "深化行政审批改革"]
    first = next(n for n in g.nodes.values() if n.title == "深入推进商事制度改革")
    assert "登记注册中遇到的问题" in first.props["text"]


DOC_TOC = """示例省规划
目 录
一、发展基础……………………………………1
二、主要任务……………………………………3
示例省市场监管规划
为进一步提升市场监管现代化水平，充分激发市场活力，根据国家有关规划，编制本规划。
一、发展基础
成效显著，全省市场主体快速增长，营商环境持续优化，质量水平稳步提升。
二、主要任务
(一)加强食品安全监管。强化党委政府对食品安全工作的组织领导。
"""


def test_table_of_contents_is_skipped_not_parsed_twice(tmp_path):
    tasks, g = titles(tmp_path, DOC_TOC)
    assert tasks == ["加强食品安全监管"]
    assert len([n for n in g.nodes.values() if n.label == "Section" and n.title == "主要任务"]) == 1
    plan = next(g.by_label("Plan"))
    assert "国家有关规划" in plan.props["cites"]


def test_docx_with_table_is_read_in_body_order(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("示例市市场监管“十四五”规划")
    d.add_paragraph("一、主要目标")
    d.add_paragraph("专栏1 主要指标")
    t = d.add_table(rows=3, cols=5)
    for r, row in enumerate([["类别", "指标", "2020年", "2025年", "属性"],
                             ["市场活力", "1.企业开办时间(工作日)", "3", "≤1", "预期性"],
                             ["市场活力", "2.市场主体总量(万户)", "40", "≥60", "约束性"]]):
        for c, v in enumerate(row):
            t.cell(r, c).text = v
    d.add_paragraph("二、主要任务")
    d.add_paragraph("(一)加强食品安全监管。强化党委政府对食品安全工作的组织领导。")
    f = tmp_path / "plan.docx"
    d.save(str(f))
    ex, _ = extract_all([f])
    g = ex[0].graph
    inds = sorted((n.props["name"], n.props["target"], n.props["attribute"]) for n in g.nodes.values() if n.label == "Indicator")
    assert inds == [("企业开办时间", "≤1", "预期性"), ("市场主体总量", "≥60", "约束性")]
    assert [n.title for n in g.nodes.values() if n.label == "Task"] == ["加强食品安全监管"]
