from hirelens.core.roles import AssignmentRole
from hirelens.positions.models import Position
from hirelens.positions.services import position_assign, position_create

POSITIONS = [
    ("销售代表", "销售部", "上海", ["团队协作", "客户", "沟通", "抗压"],
     [("recruiter", AssignmentRole.RECRUITER), ("interviewer", AssignmentRole.INTERVIEWER), ("manager", AssignmentRole.HIRING_MANAGER)]),
    ("后端工程师", "技术部", "北京", ["Python", "数据库", "团队协作"],
     [("recruiter", AssignmentRole.RECRUITER), ("cto", AssignmentRole.INTERVIEWER), ("manager", AssignmentRole.HIRING_MANAGER)]),
    ("管培生 (2027届)", "人力资源部", "深圳", ["学习能力", "团队协作"],
     [("recruiter", AssignmentRole.RECRUITER), ("interviewer", AssignmentRole.INTERVIEWER)]),
]


# HR's synonyms per keyword: a mention of a synonym counts for its keyword (the demo's Mandarin answer speaks of 压力 and 挑战)
SYNONYMS = {
    "销售代表": {"抗压": ["压力", "挑战"], "客户": ["顾客"], "团队协作": ["团队合作"]},
    "后端工程师": {"团队协作": ["团队合作"]},
}


def load(ctx):
    admin = ctx.users["admin"]
    for title, department, location, keywords, assignments in POSITIONS:
        position = Position.objects.filter(organization=ctx.organization, title=title).first()
        if position is None:
            position = position_create(actor=admin, title=title, department=department, location=location, keywords=keywords,
                                       keyword_synonyms=SYNONYMS.get(title, {}))
        for key, role in assignments:
            position_assign(actor=admin, position=position, user=ctx.users[key], role=role)
        ctx.positions[title] = position
