"""Rich demo records: parsed resumes (Chinese and English), projects with figures, documents, work
history, a background check, timelines and two duplicate pairs to merge."""

import io

from django.core.files.base import ContentFile

from hirelens.candidates.models import Candidate, Skill
from hirelens.candidates.resume import DEFAULT_SKILLS
from hirelens.candidates.selectors import candidate_find_duplicates
from hirelens.candidates.services import (
    application_create,
    application_update,
    background_check_save,
    candidate_create,
    document_upload,
    project_save,
    resume_attach,
)
from hirelens.candidates.services.resume_apply import resume_fill_empty

CANDIDATES = [
    ("赵磊", "13800138001", "zhao.lei@example.com", "销售代表", "AI视频面试", "job_board", ["销售", "英语"]),
    ("孙悦", "13800138002", "sun.yue@example.com", "销售代表", "直播面试", "referral", ["校招"]),
    ("周杰", "13800138003", "zhou.jie@example.com", "后端工程师", "在线编程", "website", []),
    ("吴芳", "13800138004", "wu.fang@example.com", "后端工程师", "AI视频面试", "headhunter", ["高潜"]),
    ("郑爽", "13800138005", "zheng.shuang@example.com", "管培生 (2027届)", "资料上传", "campus", ["校招"]),
    ("Emily Chen", "+86 139 0013 9006", "emily.chen@example.com", "管培生 (2027届)", "AI视频面试", "website", []),
]

RESUMES = {
    "赵磊": ["赵磊", "手机：138 0013 8001 | 邮箱：zhao.lei@example.com", "教育经历", "2012-2016 华东师范大学 市场营销 本科",
            "工作经历", "2019.03 - 至今 上海云帆科技有限公司 大客户销售经理", "2016-2019 平安银行 客户经理",
            "技能：销售, CRM, 商务谈判, Excel, 英语"],
    "孙悦": ["孙悦", "电话 13800138002  sun.yue@example.com", "教育经历", "2018-2022 南京大学 新闻传播 学士",
            "工作经历", "2022.07-至今 杭州星河传媒有限公司 销售专员", "技能：沟通, 团队协作, PPT"],
    "周杰": ["周杰", "13800138003 · zhou.jie@example.com", "教育经历", "2014-2018 浙江大学 计算机科学 本科",
            "2018-2021 浙江大学 软件工程 硕士", "工作经历", "2021.07 - 至今 北京字节跳动科技有限公司 后端工程师",
            "技能：Python, Go, Django, PostgreSQL, Redis, Docker, Kubernetes"],
    "吴芳": ["吴芳", "13800138004 / wu.fang@example.com", "教育经历", "2011-2015 武汉大学 信息管理 本科", "工作经历",
            "2015-2020 阿里巴巴集团 Java 工程师", "2020 - 至今 深圳微众科技有限公司 高级后端工程师",
            "技能：Java, MySQL, Redis, 项目管理, 团队协作"],
    "郑爽": ["郑爽", "13800138005  zheng.shuang@example.com", "教育经历", "2023-2027 中山大学 人力资源管理 本科（在读）",
            "实习经历", "2025.07-2025.09 广州美时商贸有限公司 人事助理（实习）", "技能：Excel, 沟通能力, 英语 CET-6"],
    "Emily Chen": ["Emily Chen", "Phone: +86 139 0013 9006  Email: emily.chen@example.com", "Education",
                   "Fudan University, Bachelor of Economics, 2023 - 2027", "Experience",
                   "Acme Technologies Inc. | Marketing Intern | 2025 - present", "Skills: Excel, Data analysis, English, Marketing"],
}

PROJECTS = {
    "赵磊": [("华东区大客户拓展", "项目负责人", 2023, 2024, "项目营收 1200万元\n新签客户 35 个\n回款率 98%")],
    "周杰": [("支付对账系统重构", "技术负责人", 2022, 2023, "日处理订单 3000万\n对账耗时降低 80%"),
            ("推荐服务容器化", "核心开发", 2021, 2022, "服务器成本降低 120万元")],
    "吴芳": [("风控规则引擎", "后端负责人", 2021, 2023, "拦截欺诈交易 2.5亿元")],
    "Emily Chen": [("Campus marketing campaign", "Team lead", 2025, 2025, "reached 20000 users\nconversion 12%")],
}


# Her resume is parsed but not yet reviewed: the 核对简历解析结果 page shows its values next to the record's.
REVIEW_PENDING = "Emily Chen"


def docx(lines):
    import docx as python_docx

    document = python_docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def blank_pdf():
    """A page with no text layer: how a scanned certificate arrives."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def load(ctx):
    admin, recruiter = ctx.users["admin"], ctx.users["recruiter"]
    org = ctx.organization
    for name, aliases in DEFAULT_SKILLS:
        Skill.objects.get_or_create(organization=org, name=name, defaults={"aliases": aliases})
    for name, phone, email, title, stage, source, tags in CANDIDATES:
        candidate = candidate_find_duplicates(organization_id=org.pk, email=email).order_by("pk").first()
        if candidate is None:
            candidate = candidate_create(actor=admin, full_name=name, phone=phone, email=email, source=source, tags=tags)
        if not candidate.resume:
            resume_attach(candidate=candidate, actor=recruiter, upload=ContentFile(docx(RESUMES[name]), name=f"{name}-简历.docx"))
            if name != REVIEW_PENDING:  # the others' parsed resumes were reviewed and filled their records
                resume_fill_empty(candidate=candidate, actor=recruiter)
        application = application_create(actor=admin, candidate=candidate, position=ctx.positions[title], stage=stage)
        if application.stage != stage:
            application_update(actor=admin, application=application, stage=stage)
        if not candidate.projects.exists():
            for project, role, start, end, results in PROJECTS.get(name, []):
                project_save(candidate=candidate, actor=recruiter, name=project, role=role, start_year=start, end_year=end, results=results)
        if not candidate.documents.exists():
            document_upload(candidate=candidate, actor=recruiter, upload=ContentFile(blank_pdf(), name="学历证明.pdf"), doc_type="education")
        ctx.candidates[name] = candidate
    zhao = ctx.candidates["赵磊"]
    if not zhao.background_checks.exists():
        background_check_save(actor=admin, candidate=zhao, provider="全景背调", status="clear", result="学历、工作经历核实无误")
    # A duplicate pair: the same person came in again from a job board with another e-mail.
    if not Candidate.objects.filter(organization=org, phone_index=zhao.phone_index).exclude(pk=zhao.pk).exists():
        duplicate = candidate_create(actor=recruiter, full_name="赵磊", phone="138-0013-8001", email="zl1990@example.com",
                                     source="job_board", allow_duplicate=True)
        application_create(actor=admin, candidate=duplicate, position=ctx.positions["后端工程师"], stage="简历筛选")
    # A second pair, by name and e-mail: 吴芳 came in again through a headhunter with a new phone number and a project
    # of her own; merging it shows a per-field choice (phone, source) and moves the project and the application.
    wu = ctx.candidates["吴芳"]
    if not Candidate.objects.filter(organization=org, email_index=wu.email_index).exclude(pk=wu.pk).exists():
        again = candidate_create(actor=recruiter, full_name="吴芳", phone="13912340004", email="wu.fang@example.com",
                                 address="深圳市南山区", source="headhunter", tags=["猎头推荐"], allow_duplicate=True)
        application_create(actor=admin, candidate=again, position=ctx.positions["后端工程师"], stage="简历筛选")
        project_save(candidate=again, actor=recruiter, name="支付清结算系统", role="后端负责人", start_year=2021, end_year=2023,
                     results="日处理交易 120万笔")
    # Contact details (masking.py): the interviewer sees 赵磊's phone as 138****8001; HR pressed "显示" once (audited).
    from hirelens.core.models import AuditEvent

    from .masking import REVEAL_MARKER, contact_reveal

    if not any(REVEAL_MARKER in (e.fields or []) for e in AuditEvent.objects.filter(
            organization_id=org.pk, object_type="candidates.candidate", object_id=str(zhao.pk), action="read")):
        contact_reveal(actor=admin, candidate=zhao, field="phone")
    ctx.log.append(f"Contact details: interviewer@demo.hirelens.local sees 赵磊's phone masked (/candidates/{zhao.pk}/); "
                   "admin and recruiter reveal one field with 显示, written to the audit log as 查看了联系方式.")
    pending = ctx.candidates[REVIEW_PENDING]
    ctx.log.append(f"Candidates: {REVIEW_PENDING}'s parsed resume waits for review (/candidates/{pending.pk}/resume/review/).")
    ctx.log.append("Candidates: 赵磊 and 吴芳 each have a duplicate record to merge side by side (/candidates/duplicates/); "
                   "résumés parsed, projects with figures.")
