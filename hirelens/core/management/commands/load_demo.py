"""Idempotent demo data: run it as often as you like, it creates only what is missing."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction

from hirelens.accounts.models import User
from hirelens.accounts.roles import AssignmentRole, Role
from hirelens.candidates.models import Candidate
from hirelens.candidates.selectors import candidate_find_duplicates
from hirelens.candidates.services import application_create, candidate_create
from hirelens.core.models import Organization
from hirelens.positions.models import Position
from hirelens.positions.services import position_assign, position_create

DEMO_PASSWORD = "HireLens-demo-2026"

USERS = [
    ("admin@demo.hirelens.local", "王敏", Role.HR_ADMIN),
    ("recruiter@demo.hirelens.local", "李娜", Role.RECRUITER),
    ("interviewer@demo.hirelens.local", "张伟", Role.INTERVIEWER),
    ("cto@demo.hirelens.local", "陈强", Role.INTERVIEWER),
    ("manager@demo.hirelens.local", "刘洋", Role.HIRING_MANAGER),
]

POSITIONS = [
    ("销售代表", "销售部", "上海", ["团队协作", "客户", "沟通"], [("recruiter@", AssignmentRole.RECRUITER), ("interviewer@", AssignmentRole.INTERVIEWER), ("manager@", AssignmentRole.HIRING_MANAGER)]),
    ("后端工程师", "技术部", "北京", ["Python", "数据库", "团队协作"], [("recruiter@", AssignmentRole.RECRUITER), ("cto@", AssignmentRole.INTERVIEWER), ("manager@", AssignmentRole.HIRING_MANAGER)]),
    ("管培生 (2027届)", "人力资源部", "深圳", ["学习能力", "团队协作"], [("recruiter@", AssignmentRole.RECRUITER), ("interviewer@", AssignmentRole.INTERVIEWER)]),
]

CANDIDATES = [
    ("赵磊", "13800138001", "zhao.lei@example.com", "销售代表", "AI视频面试"),
    ("孙悦", "13800138002", "sun.yue@example.com", "销售代表", "直播面试"),
    ("周杰", "13800138003", "zhou.jie@example.com", "后端工程师", "在线编程"),
    ("吴芳", "13800138004", "wu.fang@example.com", "后端工程师", "AI视频面试"),
    ("郑爽", "13800138005", "zheng.shuang@example.com", "管培生 (2027届)", "资料上传"),
    ("Emily Chen", "+86 139 0013 9006", "emily.chen@example.com", "管培生 (2027届)", "AI视频面试"),
]


class Command(BaseCommand):
    help = "Load the demo organization, staff, positions and candidates (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        org, _ = Organization.objects.get_or_create(slug="demo", defaults={"name": "示例科技有限公司"})
        other, _ = Organization.objects.get_or_create(slug="acme", defaults={"name": "Acme Trading Co."})
        users = {}
        for email, name, role in USERS:
            users[email.split("@")[0] + "@"] = self._user(email, name, role, org)
        self._user("admin@acme.hirelens.local", "Alex Smith", Role.HR_ADMIN, other)
        admin = users["admin@"]
        positions = {}
        for title, department, location, keywords, assignments in POSITIONS:
            position = Position.objects.filter(organization=org, title=title).first()
            if position is None:
                position = position_create(actor=admin, title=title, department=department, location=location, keywords=keywords)
            for key, role in assignments:
                position_assign(actor=admin, position=position, user=users[key], role=role)
            positions[title] = position
        for name, phone, email, title, stage in CANDIDATES:
            candidate = candidate_find_duplicates(organization_id=org.pk, email=email).first()
            if candidate is None:
                resume = ContentFile(f"{name}\n{email}\n{phone}\n".encode(), name=f"{name}-简历.txt")
                candidate = candidate_create(actor=admin, full_name=name, phone=phone, email=email, resume=resume)
            application_create(actor=admin, candidate=candidate, position=positions[title], stage=stage)
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready: {Candidate.objects.filter(organization=org).count()} candidates, "
            f"{Position.objects.filter(organization=org).count()} positions, {User.objects.filter(organization=org).count()} staff."
        ))

    def _user(self, email, name, role, org) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, role=role, organization=org)
        return user
