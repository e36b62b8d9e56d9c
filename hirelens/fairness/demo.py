"""Demo: 72 past candidates of 销售代表 who answered (or declined) the voluntary self-identification, decided at the
AI video interview, so that 偏差审计 shows a readable report at once: Hispanic or Latino women advance at 40 % against
White men's 70 % (impact ratio 0.571, flagged, a small sample with its Fisher p-value), one Native Hawaiian or
Pacific Islander man is under 2 % of the data (the exclusion checkbox shows what it changes), four are unknown.
Also a saved, published audit and the first version of the impact assessment."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_noop

from hirelens.candidates.models import Application
from hirelens.candidates.services import candidate_create
from hirelens.core.actors import SystemActor
from hirelens.evaluations.services import decision_record
from hirelens.fairness import services
from hirelens.fairness.models import FairnessAudit, PIAVersion, SelfIdentification
from hirelens.fairness.selectors import fairness_report
from hirelens.workflows import services as wf
from hirelens.workflows.models import StageResult

# the demo's past candidates "answered" before the demo existed: the system writes their answers, and says so
DEMO = SystemActor(name="demo", reason=gettext_noop("演示：候选人自愿填写的身份信息"))

# (sex, race, people, advanced at the AI video interview)
GROUPS = [
    ("male", "white", 10, 7), ("male", "asian", 12, 8), ("male", "hispanic_latino", 6, 4), ("male", "black", 6, 4),
    ("male", "two_or_more", 3, 2), ("male", "pacific_islander", 1, 0),
    ("female", "white", 9, 6), ("female", "asian", 11, 7), ("female", "hispanic_latino", 5, 2), ("female", "black", 5, 3),
    ("", "", 2, 1), ("decline", "decline", 2, 1),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ["子涵", "欣怡", "梓轩", "浩然", "雨桐", "思远", "佳琪", "宇航", "若曦", "俊杰", "诗雨", "博文"]
SCORES_ADVANCED = [88, 82, 79, 76, 74, 71, 69, 66]
SCORES_REJECTED = [61, 58, 55, 52, 49, 45, 41, 37]


def _name(index: int) -> str:
    return SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 7) % len(GIVEN)]


def load(ctx):
    position = ctx.positions.get("销售代表")
    admin = ctx.users.get("admin")
    if position is None or admin is None:
        return
    org = ctx.organization
    stage = None
    progress_stage = position.processes.filter(is_active=True).first()
    if progress_stage is not None:
        version = progress_stage.versions.filter(status="published").order_by("-number").first()
        stage = version.stages.order_by("order").first() if version else None
    if stage is None:
        return
    if SelfIdentification.objects.filter(organization=org).count() < 60:
        index = 0
        for sex, race, people, advanced in GROUPS:
            for i in range(people):
                candidate = candidate_create(actor=admin, full_name=_name(index), source="website", allow_duplicate=True)
                index += 1
                application = Application.objects.create(organization=org, candidate=candidate, position=position)
                if sex:
                    services.self_identification_save(actor=DEMO, candidate=candidate, sex=sex, race=race)
                progress = wf.pipeline_start(actor=admin, application=application)
                moved = i < advanced
                score = (SCORES_ADVANCED if moved else SCORES_REJECTED)[i % 8]
                # a past score, stored as the stage-result import stores it (no audit entry: this is history, not an act)
                StageResult.objects.create(organization=org, progress=progress, stage=stage, score=score, max_score=100,
                                           source=StageResult.Source.UPLOAD, comment="演示：AI面试环节人工评分", recorded_by=admin)
                if moved:
                    wf.pipeline_advance(actor=admin, progress=progress, reason="AI视频面试后人工评估通过")
                else:  # the one road to rejected: a person's decision, on the stage's recorded human score
                    decision_record(actor=admin, application=application, outcome="reject", stage=stage,
                                    rationale="AI视频面试后人工评估未通过：岗位所需的客户沟通经验不足（演示历史数据）")
    if not FairnessAudit.objects.filter(organization=org).exists():
        report = fairness_report(actor=admin, position=position, stage=stage.key)
        # the demo's AI interview has been in use since the demo's history began (the summary states the date)
        audit = services.audit_create(actor=admin, report=report, stage_label=stage.title,
                                      distribution_date=timezone.localdate(position.created_at),
                                      data_source="HireLens 中“销售代表”的面试流程记录与候选人自愿填写的性别、种族/族裔信息（演示数据）",
                                      title="销售代表 · AI视频面试 偏差审计（演示）")
        services.audit_publish(actor=admin, audit=audit)
    if not PIAVersion.objects.filter(organization=org).exists():
        services.pia_version_create(actor=admin, note="首次评估（演示）")
    audit = FairnessAudit.objects.filter(organization=org).first()
    if audit and audit.is_published:
        ctx.log.append(f"Bias audit (public summary): /bias-audit/{audit.public_token}/ — report: /fairness/ (HR admin)")
