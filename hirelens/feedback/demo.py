"""Demo: the 24-hour promise (most kept, some late, a few still open) and survey answers for the historical
applications; 管培生 candidates mostly find the process too long, so that rule's suggestion shows.
Idempotent: only applications without a feedback case get one."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db.models import Min
from django.utils import timezone

from hirelens.evaluations.models import Scorecard

from .models import FeedbackCase, Survey, SurveyResponse
from .services import _hash, survey_rules_ensure


def load(ctx):
    org = ctx.organization
    survey_rules_ensure(organization_id=org.pk)
    rng = random.Random(24)
    now = timezone.now()
    firsts = (Scorecard.objects.filter(organization=org, status="submitted", application__feedback_cases__isnull=True)
              .values("application", "application__position", "application__position__title", "stage")
              .annotate(first=Min("submitted_at")))
    made = 0
    for row in firsts:
        opened = row["first"]
        due = opened + timedelta(hours=24)
        roll = rng.random()
        sent = None if due > now and roll < 0.5 else opened + timedelta(hours=rng.uniform(26, 40) if roll < 0.12 else rng.uniform(2, 20))
        if sent is not None and sent > now:
            sent = None
        from hirelens.workflows.models import Stage

        stage = Stage.objects.filter(pk=row["stage"]).first()
        FeedbackCase.objects.create(organization=org, application_id=row["application"], stage=stage, stage_key=stage.key if stage else "",
                                    position_id=row["application__position"], opened_at=opened, due_at=due,
                                    status="sent" if sent else "pending", result_sent_at=sent, first_sent_at=sent)
        made += 1
        if rng.random() < 0.75 and not Survey.objects.filter(application_id=row["application"]).exists():
            survey = Survey.objects.create(organization=org, application_id=row["application"], stage_key=stage.key if stage else "",
                                           position_id=row["application__position"], token_hash=_hash(f"demo-{org.pk}-{row['application']}"),
                                           expires_at=opened + timedelta(days=7), sent_at=opened, answered=True)
            trainee = row["application__position__title"].startswith("管培生")
            SurveyResponse.objects.create(
                organization=org, position_id=row["application__position"], stage_key=survey.stage_key,
                period=(opened + timedelta(hours=3)).date().replace(day=1),
                process_length="too_long" if rng.random() < (0.65 if trainee else 0.2) else rng.choice(["just_right", "just_right", "too_short"]),
                stability="unstable" if rng.random() < 0.12 else rng.choice(["stable", "stable", "minor"]),
                professionalism=rng.choice([3, 4, 4, 5, 5]), nps=rng.choice([5, 7, 8, 9, 9, 10]),
                comment=rng.choice(["", "", "流程清晰", "AI 面试题目太多了", "视频偶尔卡顿"]))
    if made:
        ctx.log.append(f"feedback: {made} feedback promise(s) and survey answers")
