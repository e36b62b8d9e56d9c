"""Demo: live scorecards, a profile and decisions for the demo candidates, plus six months of history
(applications, pipeline moves, scorecards from a lenient and a strict interviewer, decisions) so the
analytics charts have something to show. Idempotent: each part is created only when missing."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from hirelens.candidates.models import Application, Candidate
from hirelens.workflows.models import ApplicationProgress, PipelineEvent

from . import services
from .models import Decision, FitRule, Scorecard, ScorecardRating

HISTORY_PER_POSITION = 45
HISTORY_MARK = "历史候选人"

FIT_RULES = [("销售岗位", {"沟通能力": 8, "团队协作": 7}), ("技术岗位", {"专业技能": 8, "学习能力": 7}),
             ("管理培训生", {"学习能力": 8, "团队协作": 7})]

REASONS = {
    "沟通能力": ["表达清晰，能用客户的语言解释方案", "回答条理一般，偶尔跑题", "能主动确认对方需求"],
    "专业技能": ["对数据库索引和事务理解扎实", "基础知识有欠缺，系统设计回答不完整", "熟悉销售漏斗和客户分层"],
    "团队协作": ["多次提到与同事配合完成项目，例子具体", "更多强调个人贡献", "在冲突场景中能兼顾各方"],
    "学习能力": ["两个月自学完成新框架的项目", "对新领域有兴趣但缺少实例", "能快速从失败中总结"],
}


def _ratings(position, base: dict, rng: random.Random, bias: int = 0) -> dict:
    out = {}
    for dim in position.scorecard_dimensions:
        score = max(1, min(10, base.get(dim, 7) + bias + rng.choice([-1, 0, 0, 1])))
        out[dim] = {"score": score, "reason": rng.choice(REASONS.get(dim, ["表现符合预期"]))}
    return out


def _submit(user, application, stage, ratings, now):
    if Scorecard.objects.filter(application=application, stage=stage, interviewer=user, status="submitted").exists():
        return
    services.scorecard_submit(actor=user, application=application, stage=stage, ratings=ratings, now=now)


def load(ctx):
    org = ctx.organization
    if not FitRule.objects.filter(organization=org).exists():
        for order, (label, conditions) in enumerate(FIT_RULES):
            FitRule.objects.create(organization=org, label=label, conditions=conditions, order=order)
    sales = ctx.positions.get("销售代表")
    if sales is not None:
        row = services.scorecard_settings_for(sales)
        if not row.shareable_dimensions:
            row.shareable_dimensions = ["沟通能力", "团队协作"]
            row.save(update_fields=["shareable_dimensions"])
    rng = random.Random(8)
    now = timezone.now()
    _live(ctx, rng, now)
    _history(ctx, rng, now)


def _progress(candidate_name, ctx):
    candidate = ctx.candidates.get(candidate_name)
    if candidate is None:
        return None
    application = Application.objects.filter(candidate=candidate).select_related("position").first()
    progress = ApplicationProgress.objects.filter(application=application).select_related("stage").first() if application else None
    return progress


def _live(ctx, rng, now):
    users = ctx.users
    plan = [  # candidate, scorers, base scores, decision (outcome, rationale, by)
        ("赵磊", ["interviewer", "manager"], {"沟通能力": 8, "专业技能": 7, "团队协作": 8, "学习能力": 7}, None),
        ("孙悦", ["interviewer", "manager"], {"沟通能力": 7, "专业技能": 6, "团队协作": 7, "学习能力": 8},
         ("hold", "两位面试官对专业技能意见不一，等待下一批候选人对比", "manager")),
        ("吴芳", ["cto", "manager"], {"沟通能力": 6, "专业技能": 4, "团队协作": 6, "学习能力": 6},
         ("reject", "系统设计题未能给出可行方案，专业技能与岗位要求差距较大", "recruiter")),
        ("周杰", ["cto", "manager"], {"沟通能力": 7, "专业技能": 9, "团队协作": 7, "学习能力": 8},
         ("advance", "专业技能突出，进入技术面试", "manager")),
    ]
    for name, scorers, base, decision in plan:
        progress = _progress(name, ctx)
        if progress is None or progress.stage is None:
            continue
        application, stage = progress.application, progress.stage
        if Decision.objects.filter(application=application).exists():
            continue
        from hirelens.workflows.access import stage_can_score

        for key in scorers:
            user = users.get(key)
            if user is not None and stage_can_score(actor=user, stage=stage):
                _submit(user, application, stage, _ratings(application.position, base, rng), now - timedelta(hours=3))
        if decision is not None:
            outcome, rationale, by = decision
            services.decision_record(actor=users[by], application=application, outcome=outcome, rationale=rationale, now=now)


def _history(ctx, rng, now):
    """Backdated rows written directly (services stamp "now"); only when no history exists yet."""
    org, users = ctx.organization, ctx.users
    if Scorecard.objects.filter(organization=org, application__candidate__source=Candidate.Source.IMPORT).exists():
        return
    panels = {"销售代表": [("interviewer", 1), ("manager", -1)], "后端工程师": [("cto", 0), ("manager", -1)],
              "管培生 (2027届)": [("interviewer", 1), ("admin", 0)]}
    profiles = {"销售代表": {"沟通能力": 8, "专业技能": 6, "团队协作": 7, "学习能力": 7},
                "后端工程师": {"沟通能力": 6, "专业技能": 7, "团队协作": 7, "学习能力": 8},
                "管培生 (2027届)": {"沟通能力": 7, "专业技能": 5, "团队协作": 7, "学习能力": 8}}
    for title, panel in panels.items():
        position = ctx.positions.get(title)
        process = ctx.extra.get("processes", {}).get(title)
        if position is None or process is None:
            continue
        version = process.versions.filter(status="published").order_by("-number").first()
        stages = list(version.stages.order_by("order", "pk"))
        first = stages[0]
        for i in range(HISTORY_PER_POSITION):
            applied = now - timedelta(days=rng.randint(3, 180), hours=rng.randint(0, 23))
            candidate = Candidate.objects.create(organization=org, full_name=f"{HISTORY_MARK}{position.pk}-{i + 1}",
                                                 source=Candidate.Source.IMPORT)
            application = Application.objects.create(organization=org, candidate=candidate, position=position, stage=first.title)
            Application.objects.filter(pk=application.pk).update(created_at=applied)
            progress = ApplicationProgress.objects.create(organization=org, application=application, version=version, stage=first)
            _event(progress, "start", None, first, applied, users["admin"])
            scored_at = applied + timedelta(days=rng.randint(1, 4))
            for key, bias in panel:
                user = users.get(key)
                if user is None:
                    continue
                card = Scorecard.objects.create(organization=org, application=application, stage=first, position=position,
                                                interviewer=user, status="submitted", submitted_at=scored_at)
                for dim, value in _ratings(position, profiles[title], rng, bias).items():
                    ScorecardRating.objects.create(organization=org, scorecard=card, dimension=dim, score=value["score"],
                                                   reason=value["reason"], position=position, department=position.department,
                                                   interviewer=user, submitted_at=scored_at, month=services.rating_month(scored_at),
                                                   application=application, stage=first)
            services.item_stats_refresh(application_id=application.pk, stage_id=first.pk)
            reached = rng.choices(range(1, len(stages) + 2), weights=[4, 3, 2, 2][: len(stages)] + [1])[0]
            when = scored_at
            for stage_index in range(1, min(reached, len(stages))):
                when += timedelta(days=rng.randint(2, 6))
                _event(progress, "advance", stages[stage_index - 1], stages[stage_index], when, users["manager"])
            state, status = "active", "active"
            if reached > len(stages):
                when += timedelta(days=rng.randint(2, 6))
                _event(progress, "complete", stages[-1], stages[-1], when, users["manager"])
                # A hire is a decision like a rejection (S1): a person, a written reason, the scorecards behind it.
                Decision.objects.create(organization=org, application=application, stage=stages[-1], outcome="hire",
                                        rationale="各轮评分卡均达到岗位要求，终面表现稳定，决定录用", decided_by=users["manager"],
                                        scorecards_considered=len(panel))
                state, status = "completed", "hired"
            elif rng.random() < 0.5:
                when += timedelta(days=1)
                _event(progress, "reject", stages[reached - 1], stages[reached - 1], when, users["recruiter"])
                Decision.objects.create(organization=org, application=application, stage=stages[reached - 1], outcome="reject",
                                        rationale="综合评分卡，专业技能与岗位要求差距较大", decided_by=users["recruiter"],
                                        scorecards_considered=len(panel))
                state, status = "rejected", "rejected"
            ApplicationProgress.objects.filter(pk=progress.pk).update(stage=stages[min(reached, len(stages)) - 1], state=state)
            Application.objects.filter(pk=application.pk).update(status=status, stage=stages[min(reached, len(stages)) - 1].title)
    ctx.log.append("evaluations: six months of scorecards and pipeline history for the analytics charts")


def _event(progress, action, from_stage, to_stage, when, actor):
    event = PipelineEvent.objects.create(organization_id=progress.organization_id, progress=progress, action=action,
                                         from_stage=from_stage, to_stage=to_stage, reason="示例数据", actor=actor)
    PipelineEvent.objects.filter(pk=event.pk).update(created_at=when)
