from django.core.files.base import ContentFile

from hirelens.candidates.selectors import candidate_find_duplicates
from hirelens.candidates.services import application_create, candidate_create

CANDIDATES = [
    ("赵磊", "13800138001", "zhao.lei@example.com", "销售代表", "AI视频面试"),
    ("孙悦", "13800138002", "sun.yue@example.com", "销售代表", "直播面试"),
    ("周杰", "13800138003", "zhou.jie@example.com", "后端工程师", "在线编程"),
    ("吴芳", "13800138004", "wu.fang@example.com", "后端工程师", "AI视频面试"),
    ("郑爽", "13800138005", "zheng.shuang@example.com", "管培生 (2027届)", "资料上传"),
    ("Emily Chen", "+86 139 0013 9006", "emily.chen@example.com", "管培生 (2027届)", "AI视频面试"),
]


def load(ctx):
    admin = ctx.users["admin"]
    for name, phone, email, title, stage in CANDIDATES:
        candidate = candidate_find_duplicates(organization_id=ctx.organization.pk, email=email).first()
        if candidate is None:
            resume = ContentFile(f"{name}\n{email}\n{phone}\n".encode(), name=f"{name}-简历.txt")
            candidate = candidate_create(actor=admin, full_name=name, phone=phone, email=email, resume=resume)
        application_create(actor=admin, candidate=candidate, position=ctx.positions[title], stage=stage)
        ctx.candidates[name] = candidate
