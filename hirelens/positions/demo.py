from hirelens.accounts.roles import AssignmentRole
from hirelens.positions.models import Position
from hirelens.positions.services import position_assign, position_create

POSITIONS = [
    ("销售代表", "销售部", "上海", ["团队协作", "客户", "沟通"],
     [("recruiter", AssignmentRole.RECRUITER), ("interviewer", AssignmentRole.INTERVIEWER), ("manager", AssignmentRole.HIRING_MANAGER)]),
    ("后端工程师", "技术部", "北京", ["Python", "数据库", "团队协作"],
     [("recruiter", AssignmentRole.RECRUITER), ("cto", AssignmentRole.INTERVIEWER), ("manager", AssignmentRole.HIRING_MANAGER)]),
    ("管培生 (2027届)", "人力资源部", "深圳", ["学习能力", "团队协作"],
     [("recruiter", AssignmentRole.RECRUITER), ("interviewer", AssignmentRole.INTERVIEWER)]),
]


def load(ctx):
    admin = ctx.users["admin"]
    for title, department, location, keywords, assignments in POSITIONS:
        position = Position.objects.filter(organization=ctx.organization, title=title).first()
        if position is None:
            position = position_create(actor=admin, title=title, department=department, location=location, keywords=keywords)
        for key, role in assignments:
            position_assign(actor=admin, position=position, user=ctx.users[key], role=role)
        ctx.positions[title] = position
