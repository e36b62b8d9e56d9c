"""Realistic resumes generated on the fly, each with its ground truth: 6 Chinese and 6 English, PDF
(reportlab; Chinese in the built-in STSong-Light CID font) and DOCX (python-docx: paragraphs, a dated
table, a two-column layout table), several heading words and date formats. Used by the parser tests and
``bench/resume.py``; ``demo_cases`` adds the demo data's resumes with their truth.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field


@dataclass
class Case:
    key: str
    fmt: str  # "pdf" or "docx"
    lang: str
    build: object  # () -> bytes
    truth: dict = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return f"{self.key}.{self.fmt}"

    def data(self) -> bytes:
        return self.build()


def pdf(lines: list[str], *, chinese: bool) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light" if chinese else "Helvetica"
    if chinese:
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    doc = canvas.Canvas(buf)
    y = 800
    for line in lines:
        if y < 50:
            doc.showPage()
            y = 800
        heading = line.startswith("## ")
        doc.setFont(font if chinese or not heading else "Helvetica-Bold", 13 if heading else 10)
        doc.drawString(48, y, line[3:] if heading else line)
        y -= 20 if heading else 15
    doc.save()
    return buf.getvalue()


def docx(blocks: list) -> bytes:
    """``blocks``: strings (paragraphs; "## " makes a heading), ("table", rows) for a dated table and
    ("columns", left_lines, right_lines) for a two-column layout table."""
    import docx as python_docx

    document = python_docx.Document()
    for block in blocks:
        if isinstance(block, str):
            if block.startswith("## "):
                document.add_heading(block[3:], level=2)
            else:
                document.add_paragraph(block)
        elif block[0] == "table":
            rows = block[1]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    table.cell(r, c).text = text
        elif block[0] == "columns":
            table = document.add_table(rows=1, cols=2)
            for cell, lines in zip(table.rows[0].cells, block[1:], strict=True):
                lines = [line.removeprefix("## ") for line in lines]
                cell.text = lines[0]
                for line in lines[1:]:
                    cell.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _truth(name, phones, emails, schools, employers, projects, skills) -> dict:
    return {"name": name, "phones": phones, "emails": emails, "school": schools, "employers": employers,
            "projects": projects, "skills": skills}


ZH_1 = [  # one column, 2019.07-至今, 字节跳动 without a company suffix
    "李明轩", "电话：139-1234-5678 | 邮箱：li.mingxuan@example.cn | 北京",
    "## 教育背景", "2012.09-2016.06  北京邮电大学  计算机科学与技术  本科",
    "## 工作经历", "2019.07-至今  字节跳动  高级后端工程师", "· 负责抖音电商交易链路，日订单量 500万",
    "2016.07-2019.06  华润万家  IT 工程师", "· 维护门店收银系统",
    "## 项目经历", "交易链路重构  2020.03-2021.12", "角色：技术负责人", "· 接口耗时降低 60%", "· 节省服务器成本 300万元",
    "## 专业技能", "Go, MySQL, Redis, Kubernetes, 团队协作",
]
ZH_2 = [  # title line, labelled name, 工作经验, 2018/3 – 2020/5
    "个人简历", "姓名：王静怡", "手机：(+86) 186 0000 1122", "Email：wangjingyi@example.com",
    "## 教育经历", "2010/9 – 2014/6 复旦大学 市场营销 学士", "2014/9 – 2016/6 上海交通大学 工商管理 硕士",
    "## 工作经验", "2020/6 – 至今 | 阿里巴巴集团 | 高级运营经理", "2016/7 – 2020/5 | 上海华润万家超市有限公司 | 市场专员",
    "## 项目经验", "项目名称：双十一会场运营", "角色：项目负责人", "· GMV 2.3亿元", "· 转化率提升 18%",
    "## 技能", "数据分析, Excel, PPT, 市场营销, 英语 CET-6",
]
ZH_3 = [  # 2019年7月 - 至今, 腾讯, 实习经历
    "陈思远", "15012345678  chensiyuan@example.com",
    "## 教育背景", "浙江大学 软件工程 硕士 2016年9月 - 2019年6月", "南京大学 计算机科学 本科 2012年9月 - 2016年6月",
    "## 工作经历", "深圳市腾讯计算机系统有限公司 | 后台开发工程师 | 2019年7月 - 至今", "· 负责微信支付清结算系统",
    "## 实习经历", "百度 | 算法实习生 | 2018年6月 - 2018年9月",
    "## 项目经历", "微信支付清结算平台 | 核心开发 | 2020年1月 - 2022年3月", "· 日处理交易 8000万笔", "· 对账差错率降低 90%",
    "推荐系统召回优化 | 负责人 | 2018年6月 - 2018年9月", "· 点击率提升 5%",
    "## 技能", "C++, Python, Linux, 机器学习",
]
ZH_4_LEFT = ["赵雨桐", "手机 137 0000 3344", "zhaoyutong@example.com", "## 技能", "销售", "客户关系管理", "商务谈判", "Excel"]
ZH_4_RIGHT = ["## 教育背景", "2011.09 - 2015.07 中国人民大学 国际贸易 本科",
              "## 工作经历", "2018.03 - 至今 华为技术有限公司 大客户经理", "· 年签约额 1.2亿元",
              "2015.07 - 2018.02 京东 销售主管",
              "## 项目经历", "运营商集采项目 2019.01 - 2020.06", "角色：项目经理", "· 合同金额 8000万元"]
ZH_5_TABLE = [["2021.03 - 至今", "美团", "产品经理"], ["2017.07 - 2021.02", "中国工商银行股份有限公司", "客户经理"]]
ZH_6 = [  # 2015-2019 plain years, 工作经历 with employers first on their own line
    "刘洋", "手机：18800001111", "邮箱：liuyang.hr@example.com",
    "## 教育背景", "武汉大学 人力资源管理 本科", "2011 - 2015",
    "## 工作经历", "华润万家有限公司", "2018.04 - 至今  人力资源经理", "· 负责 3000 名员工的招聘与培训",
    "阿里巴巴（中国）有限公司", "2015.07 - 2018.03  招聘专员",
    "## 项目经历", "校园招聘体系搭建 2019.03 - 2019.12", "· 招聘应届生 200 人", "· 招聘周期缩短 30%",
    "## 技能", "沟通能力, 团队协作, Excel, 项目管理",
]

EN_1 = [  # one column, Jul 2019 – Present
    "Michael Johnson", "Phone: +86 135 1111 2222 | Email: michael.johnson@example.com",
    "## Education", "Stanford University — M.S. in Computer Science, Sep 2015 – Jun 2017",
    "University of Michigan — B.S. in Computer Science, Sep 2011 – May 2015",
    "## Experience", "Microsoft | Senior Software Engineer | Jul 2019 – Present", "- Led the Azure billing pipeline for 2M customers",
    "Amazon | Software Engineer | Aug 2017 – Jun 2019", "- Built inventory services in Java",
    "## Projects", "Billing Pipeline Rewrite | Tech Lead | 2020 – 2021", "- Cut processing cost by 35%", "- Served 2M customers",
    "## Skills", "Python, Java, SQL, Docker, Kubernetes",
]
EN_2 = [  # Work Experience, 03/2018 - 05/2020, title first
    "Sarah Lee", "sarah.lee@example.org · +86 177 2222 3333",
    "## Work Experience", "Product Manager, ByteDance  06/2020 - Present", "- Owned TikTok Shop seller tools",
    "Business Analyst, Deloitte Consulting  03/2018 - 05/2020",
    "## Education", "London School of Economics, MSc Management, 2016 - 2017",
    "Peking University, BA Economics, 2012 - 2016",
    "## Selected Projects", "Seller Onboarding Revamp (2021)", "Role: Product Owner", "- Onboarding time reduced 40%",
    "- 15000 new sellers in 6 months",
    "## Skills", "Data analysis, SQL, Project management, English",
]
EN_3_LEFT = ["David Wang", "+86 139 8888 7777", "david.wang@example.net", "## Skills", "React", "TypeScript", "JavaScript", "Vue"]
EN_3_RIGHT = ["## Employment", "Google LLC | Frontend Engineer | Jan 2020 – Present", "- Maintained Google Ads UI",
              "Tencent | Web Developer | Jul 2016 – Dec 2019",
              "## Education", "Tsinghua University, Bachelor of Engineering in Software Engineering, 2012 – 2016",
              "## Projects", "Ads Dashboard Redesign | Lead Developer | 2021 – 2022", "- Page load time cut by 50%"]
EN_4 = [  # no dates in education line, dates on next line; 2018.03 - 2021.06
    "Anna Schmidt", "Email: anna.schmidt@example.de", "Mobile: 13611112222",
    "## Professional Experience", "Alibaba Group | Data Scientist | 2021.07 - now", "- Built fraud detection models saving $3M per year",
    "Siemens AG | Data Analyst | 2018.03 - 2021.06",
    "## Education", "Technical University of Munich", "Master of Science in Data Engineering, 2016 - 2018",
    "## Projects", "Fraud Detection Platform, 2022 - 2023", "Role: Lead", "- Blocked 12000 fraudulent orders",
    "## Skills", "Python, Machine learning, SQL, Linux",
]
EN_5_TABLE = [["Sep 2019 – Present", "JPMorgan Chase Bank", "Vice President"], ["Jul 2015 – Aug 2019", "Huawei", "Account Manager"]]
EN_6 = [  # employers on their own line, then title with dates
    "James Liu", "Tel: 15566667777  Email: james.liu@example.com",
    "## Education", "University of Toronto, Bachelor of Commerce (2010 - 2014)",
    "## Experience", "Procter & Gamble", "Brand Manager, Jan 2018 – Present", "- Grew market share 3%",
    "Unilever", "Assistant Brand Manager, Jun 2014 – Dec 2017",
    "## Projects", "Olay China Relaunch | Project Lead | 2019 – 2020", "- Revenue 500M RMB",
    "## Skills", "Marketing, Data analysis, PowerPoint, English",
]


def cases() -> list[Case]:
    zh_skills_1 = ["Go", "MySQL", "Redis", "Kubernetes", "团队协作"]
    return [
        Case("zh1", "pdf", "zh", lambda: pdf(ZH_1, chinese=True), _truth(
            "李明轩", ["13912345678"], ["li.mingxuan@example.cn"], ["北京邮电大学"], ["字节跳动", "华润万家"], ["交易链路重构"], zh_skills_1)),
        Case("zh2", "docx", "zh", lambda: docx(ZH_2), _truth(
            "王静怡", ["18600001122"], ["wangjingyi@example.com"], ["复旦大学", "上海交通大学"], ["阿里巴巴集团", "上海华润万家超市有限公司"],
            ["双十一会场运营"], ["Excel", "PowerPoint", "数据分析", "英语", "市场营销"])),
        Case("zh3", "pdf", "zh", lambda: pdf(ZH_3, chinese=True), _truth(
            "陈思远", ["15012345678"], ["chensiyuan@example.com"], ["浙江大学", "南京大学"], ["深圳市腾讯计算机系统有限公司", "百度"],
            ["微信支付清结算平台", "推荐系统召回优化"], ["Python", "Linux", "C++", "机器学习"])),
        Case("zh4", "docx", "zh", lambda: docx([("columns", ZH_4_LEFT, ZH_4_RIGHT)]), _truth(
            "赵雨桐", ["13700003344"], ["zhaoyutong@example.com"], ["中国人民大学"], ["华为技术有限公司", "京东"], ["运营商集采项目"],
            ["Excel", "销售", "客户关系管理", "商务谈判"])),
        Case("zh5", "docx", "zh", lambda: docx([
            "孙浩然", "电话：13655556666    邮箱：sun.haoran@example.com", "## 工作经历", ("table", ZH_5_TABLE),
            "## 教育背景", ("table", [["2013.09 - 2017.06", "厦门大学", "金融学", "本科"]]),
            "## 项目经历", "会员增长项目 | 产品负责人 | 2022.01 - 2022.12", "· 新增会员 120万人", "## 技能", "数据分析, SQL, 项目管理"]), _truth(
            "孙浩然", ["13655556666"], ["sun.haoran@example.com"], ["厦门大学"], ["美团", "中国工商银行股份有限公司"], ["会员增长项目"],
            ["SQL", "数据分析", "项目管理"])),
        Case("zh6", "pdf", "zh", lambda: pdf(ZH_6, chinese=True), _truth(
            "刘洋", ["18800001111"], ["liuyang.hr@example.com"], ["武汉大学"], ["华润万家有限公司", "阿里巴巴(中国)有限公司"], ["校园招聘体系搭建"],
            ["Excel", "团队协作", "沟通能力", "项目管理"])),
        Case("en1", "pdf", "en", lambda: pdf(EN_1, chinese=False), _truth(
            "Michael Johnson", ["13511112222"], ["michael.johnson@example.com"], ["Stanford University", "University of Michigan"],
            ["Microsoft", "Amazon"], ["Billing Pipeline Rewrite"], ["Python", "Java", "SQL", "Docker", "Kubernetes"])),
        Case("en2", "docx", "en", lambda: docx(EN_2), _truth(
            "Sarah Lee", ["17722223333"], ["sarah.lee@example.org"], ["London School of Economics", "Peking University"],
            ["ByteDance", "Deloitte Consulting"], ["Seller Onboarding Revamp"], ["SQL", "数据分析", "项目管理", "英语"])),
        Case("en3", "docx", "en", lambda: docx([("columns", EN_3_LEFT, EN_3_RIGHT)]), _truth(
            "David Wang", ["13988887777"], ["david.wang@example.net"], ["Tsinghua University"], ["Google LLC", "Tencent"],
            ["Ads Dashboard Redesign"], ["JavaScript", "TypeScript", "React", "Vue"])),
        Case("en4", "pdf", "en", lambda: pdf(EN_4, chinese=False), _truth(
            "Anna Schmidt", ["13611112222"], ["anna.schmidt@example.de"], ["Technical University of Munich"], ["Alibaba Group", "Siemens AG"],
            ["Fraud Detection Platform"], ["Python", "SQL", "Linux", "机器学习"])),
        Case("en5", "docx", "en", lambda: docx([
            "Robert Zhang", "robert.zhang@example.com | +86 131 0000 9999", "## Experience", ("table", EN_5_TABLE),
            "## Education", ("table", [["2011 – 2015", "Shanghai Jiao Tong University", "Bachelor of Finance"]]),
            "## Skills", "Excel, Negotiation, Sales, English"]), _truth(
            "Robert Zhang", ["13100009999"], ["robert.zhang@example.com"], ["Shanghai Jiao Tong University"], ["JPMorgan Chase Bank", "Huawei"],
            [], ["Excel", "销售", "商务谈判", "英语"])),
        Case("en6", "pdf", "en", lambda: pdf(EN_6, chinese=False), _truth(
            "James Liu", ["15566667777"], ["james.liu@example.com"], ["University of Toronto"], ["Procter & Gamble", "Unilever"],
            ["Olay China Relaunch"], ["PowerPoint", "数据分析", "英语", "市场营销"])),
    ]


DEMO_TRUTH = {
    "赵磊": (["华东师范大学"], ["上海云帆科技有限公司", "平安银行"], ["Excel", "销售", "客户关系管理", "商务谈判", "英语"]),
    "孙悦": (["南京大学"], ["杭州星河传媒有限公司"], ["PowerPoint", "团队协作", "沟通能力"]),
    "周杰": (["浙江大学"], ["北京字节跳动科技有限公司"], ["Python", "Go", "Django", "PostgreSQL", "Redis", "Docker", "Kubernetes"]),
    "吴芳": (["武汉大学"], ["阿里巴巴集团", "深圳微众科技有限公司"], ["Java", "MySQL", "Redis", "项目管理", "团队协作"]),
    "郑爽": (["中山大学"], ["广州美时商贸有限公司"], ["Excel", "沟通能力", "英语"]),
    "Emily Chen": (["Fudan University"], ["Acme Technologies Inc."], ["Excel", "数据分析", "英语", "市场营销"]),
}


def demo_cases() -> list[Case]:
    from hirelens.candidates.demo import CANDIDATES, RESUMES
    from hirelens.candidates.demo import docx as demo_docx

    out = []
    for name, phone, email, *_rest in CANDIDATES:
        schools, employers, skills = DEMO_TRUTH[name]
        digits = "".join(ch for ch in phone if ch.isdigit())[-11:]
        out.append(Case(f"demo-{name}", "docx", "en" if name.isascii() else "zh", lambda lines=RESUMES[name]: demo_docx(lines),
                        _truth(name, [digits], [email], schools, employers, [], skills)))
    return out


FIELDS = ("name", "phones", "emails", "school", "employers", "projects", "skills")


def found_fields(parsed: dict) -> dict:
    """The parser's answer in the truth's shape (sets per field)."""
    return {"name": {parsed["name"]} - {""}, "phones": set(parsed["phones"]), "emails": set(parsed["emails"]),
            "school": {e["school"] for e in parsed["education"]}, "employers": {e["employer"] for e in parsed["employers"]},
            "projects": {p["name"] for p in parsed["projects"]}, "skills": set(parsed["skills"])}


def score(case_list: list[Case], *, skills=None) -> tuple[dict, list[str]]:
    """Per field (precision, recall) over the cases (micro-averaged: every expected and found value counts
    once), plus one line per miss or wrong value, for reading."""
    from hirelens.candidates.resume import extract_resume
    from hirelens.candidates.resume_parse import parse_resume

    tally = {f: [0, 0, 0] for f in FIELDS}  # right, found, expected
    misses = []
    for case in case_list:
        parsed = parse_resume(extract_resume(case.data()).text, skills=skills).as_dict()
        got = found_fields(parsed)
        for f in FIELDS:
            expected = {case.truth[f]} if f == "name" else set(case.truth[f])
            right = got[f] & expected
            tally[f][0] += len(right)
            tally[f][1] += len(got[f])
            tally[f][2] += len(expected)
            if got[f] != expected:
                misses.append(f"{case.filename} {f}: missing {sorted(expected - got[f])} extra {sorted(got[f] - expected)}")
    figures = {f: (r / found if found else 1.0, r / expected if expected else 1.0) for f, (r, found, expected) in tally.items()}
    return figures, misses
