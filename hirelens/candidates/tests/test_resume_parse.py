"""The resume parser on layouts it has to survive, and its precision/recall on the generated resumes."""

import pytest

from hirelens.candidates.resume import extract_resume
from hirelens.candidates.resume_parse import date_range, parse_resume

from . import resumes


def _employers(parsed):
    return [(e["employer"], e["title"], e["start_year"], e["end_year"], e["current"]) for e in parsed.employers]


def test_bytedance_and_china_resources_vanguard_without_a_company_suffix_are_employers():
    parsed = parse_resume("\n".join([
        "李明", "13912345678", "工作经历", "2019.07-至今  字节跳动  高级后端工程师", "· 负责电商交易链路",
        "2016.07-2019.06  华润万家  IT 工程师", "教育背景", "2012-2016 北京邮电大学 计算机科学与技术 本科",
    ]))
    assert _employers(parsed) == [("字节跳动", "高级后端工程师", 2019, None, True), ("华润万家", "IT 工程师", 2016, 2019, False)]
    assert [(e["school"], e["degree"], e["major"]) for e in parsed.education] == [("北京邮电大学", "bachelor", "计算机科学与技术")]


def test_projects_are_extracted_with_role_years_and_figures():
    parsed = parse_resume("\n".join([
        "王静", "项目经历", "交易链路重构  2020.03-2021.12", "角色：技术负责人", "· 接口耗时降低 60%", "· 节省服务器成本 300万元",
        "· 负责方案设计与评审", "项目名称：双十一会场运营", "· GMV 2.3亿元", "技能", "Go",
    ]))
    assert [(p["name"], p["role"], p["start_year"], p["end_year"], p["results"]) for p in parsed.projects] == [
        ("交易链路重构", "技术负责人", 2020, 2021, ["接口耗时降低 60%", "节省服务器成本 300万元"]),
        ("双十一会场运营", "", None, None, ["GMV 2.3亿元"]),
    ]
    assert parsed.projects[0]["description"] == "负责方案设计与评审"
    assert parsed.skills == ["Go"]


@pytest.mark.parametrize(("line", "expected"), [
    ("2019.07-至今", (2019, None, True)),
    ("2018/3 – 2020/5", (2018, 2020, False)),
    ("Jul 2019 – Present", (2019, None, True)),
    ("Sep 2015 - Jun 2019", (2015, 2019, False)),
    ("2019年7月 - 2021年6月", (2019, 2021, False)),
    ("03/2018 - 05/2020", (2018, 2020, False)),
    ("2021.07 - now", (2021, None, True)),
    ("2015 ~ 2019", (2015, 2019, False)),
])
def test_date_ranges_in_common_formats(line, expected):
    assert date_range(f"某公司 {line} 职员")[:3] == expected


@pytest.mark.parametrize("heading", ["工作经历", "工作经验", "Experience", "Work Experience", "Employment", "EMPLOYMENT HISTORY:"])
def test_work_section_headings(heading):
    parsed = parse_resume(f"Anna Li\n{heading}\nMicrosoft | Software Engineer | Jul 2019 – Present\nSkills\nPython")
    assert _employers(parsed) == [("Microsoft", "Software Engineer", 2019, None, True)]


def test_english_resume_with_title_first_and_employer_on_its_own_line():
    parsed = parse_resume("\n".join([
        "James Liu", "Tel: 155 6666 7777", "Experience", "Procter & Gamble", "Brand Manager, Jan 2018 – Present",
        "- Grew market share 3%", "Product Manager, ByteDance  06/2020 - 12/2021", "Education",
        "University of Toronto, Bachelor of Commerce (2010 - 2014)",
    ]))
    assert parsed.name == "James Liu" and parsed.phones == ["15566667777"]
    assert _employers(parsed) == [("Procter & Gamble", "Brand Manager", 2018, None, True),
                                  ("ByteDance", "Product Manager", 2020, 2021, False)]
    assert [(e["school"], e["degree"], e["major"], e["start_year"]) for e in parsed.education] == [
        ("University of Toronto", "bachelor", "Commerce", 2010)]


def test_a_two_column_docx_keeps_each_column_whole():
    case = next(c for c in resumes.cases() if c.key == "zh4")
    text = extract_resume(case.data()).text
    assert text.index("赵雨桐") < text.index("教育背景") < text.index("华为技术有限公司") < text.index("项目经历")
    parsed = parse_resume(text)
    assert [e["employer"] for e in parsed.employers] == ["华为技术有限公司", "京东"]
    assert parsed.projects[0]["name"] == "运营商集采项目" and parsed.projects[0]["results"] == ["合同金额 8000万元"]


def test_a_title_line_and_a_labelled_name():
    assert parse_resume("个人简历\n姓名：王静怡\n手机：(+86) 186 0000 1122").name == "王静怡"
    assert parse_resume("Curriculum Vitae\nSarah Lee\nsarah@example.org").name == "Sarah Lee"
    assert parse_resume("Senior Software Engineer\nMicrosoft").name == ""  # a title is not a name


def test_generated_resumes_meet_the_quality_goal():
    """Correctness on 12 generated resumes (6 Chinese, 6 English; PDF and DOCX; several layouts) and the demo set:
    precision and recall >= 90 % for name, phone, e-mail, school and employers (bench/resume.py prints them)."""
    generated = resumes.cases()
    assert len(generated) >= 10
    assert sum(c.lang == "zh" for c in generated) >= 5 and sum(c.lang == "en" for c in generated) >= 4
    assert {c.fmt for c in generated} == {"pdf", "docx"}
    for case_list in (generated, resumes.demo_cases()):
        figures, misses = resumes.score(case_list)
        for name in ("name", "phones", "emails", "school", "employers"):
            precision, recall = figures[name]
            assert precision >= 0.9 and recall >= 0.9, (name, figures[name], misses)
        assert figures["projects"][1] >= 0.8, misses


@pytest.mark.parametrize("body", [
    "公司：腾讯科技（深圳）有限公司\n职位：产品经理\n时间：2018.07 - 2020.12\n公司：小红书\n职位：高级总监\n时间：2021.01 - 至今",
    "时间：2018.07 - 2020.12\n公司：腾讯科技（深圳）有限公司\n职位：产品经理\n时间：2021.01 - 至今\n公司：小红书\n职位：高级总监",
    "腾讯科技（深圳）有限公司 | 2018.07 - 2020.12\n产品经理\n· 负责微信读书\n小红书 | 2021.01 - 至今\n高级总监",
    "2018.07 - 2020.12 腾讯科技（深圳）有限公司 产品经理\n负责微信读书的增长\n2021.01 - 至今 小红书 高级总监",
])
def test_labelled_and_stacked_work_layouts(body):
    parsed = parse_resume(f"赵六\n工作经历\n{body}\n教育背景\n2010-2014 复旦大学 新闻学 本科")
    assert _employers(parsed) == [("腾讯科技(深圳)有限公司", "产品经理", 2018, 2020, False), ("小红书", "高级总监", 2021, None, True)]


def test_title_at_company_in_english():
    parsed = parse_resume("John Smith\nExperience\nSoftware Engineer at Google (2018 - 2020)\nSenior Engineer at Meta, 2020 - Present")
    assert _employers(parsed) == [("Google", "Software Engineer", 2018, 2020, False), ("Meta", "Senior Engineer", 2020, None, True)]
