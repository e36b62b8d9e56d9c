"""The candidate hub's 面试 and 评估 tabs, read from the apps that own the data.

Each list comes from its owner's selector, with that owner's access rules: scheduled interviews from
``scheduling.selectors.interview_list`` (the panel sees only their positions), AI video sessions from
``interviews.access.session_list`` (stage permissions, W2), scorecards from ``evaluations.access.visible_scorecards``
(blind until the reader submitted their own; drafts are never listed) and decisions of the applications the
reader may see. The number of queries depends on the candidate's applications and stages, not on how many
interviews or cards there are.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Candidate
from .selectors import candidate_applications

# What a person calls an AI video session's state (the stored state plus expiry and revocation).
SESSION_STATUS = {
    "sent": _("已发送"),
    "started": _("已开始"),
    "submitted": _("已提交"),
    "analysed": _("已分析"),
    "expired": _("已过期"),
    "revoked": _("已撤销"),
}


@dataclass
class SessionRow:
    session: object
    status: str
    status_label: str


def session_status(session, now=None) -> str:
    now = now or timezone.now()
    state = session.state
    if session.revoked_at is not None or state == "cancelled":
        return "revoked"
    if state in ("submitted", "analysed"):
        return state
    if session.expires_at <= now:
        return "expired"
    return "started" if state in ("started", "answering") else "sent"


def hub_interviews(*, actor, candidate: Candidate) -> dict:
    """{"live": [Interview], "sessions": [SessionRow]}: live interviews soonest first, AI sessions newest first."""
    live, sessions = [], []
    if apps.is_installed("hirelens.scheduling"):
        from hirelens.scheduling.selectors import interview_list

        live = list(interview_list(actor=actor).filter(application__candidate=candidate))
    if apps.is_installed("hirelens.interviews"):
        from hirelens.interviews.access import session_list

        now = timezone.now()
        for session in session_list(actor=actor, candidate=candidate):
            status = session_status(session, now)
            sessions.append(SessionRow(session=session, status=status, status_label=str(SESSION_STATUS[status])))
    return {"live": live, "sessions": sessions}


def hub_evaluations(*, actor, candidate: Candidate) -> dict:
    """{"scorecards": [Scorecard] (submitted, readable by the actor), "decisions": [Decision]}, newest first."""
    if not apps.is_installed("hirelens.evaluations"):
        return {"scorecards": [], "decisions": []}
    from hirelens.evaluations.access import visible_scorecards
    from hirelens.evaluations.models import Decision, Scorecard
    from hirelens.workflows.access import stage_can_view

    applications = list(candidate_applications(actor=actor, candidate=candidate))
    cards = []
    for application in applications:  # the blind rule is per application and stage
        cards += list(visible_scorecards(actor=actor, application=application).filter(status=Scorecard.Status.SUBMITTED)
                      .select_related("interviewer", "stage", "position").prefetch_related("ratings"))
    for card in cards:
        scores = [r.score for r in card.ratings.all()]
        card.mean_score = f"{sum(scores) / len(scores):.1f}" if scores else ""
    cards.sort(key=lambda c: c.submitted_at, reverse=True)
    decisions = list(Decision.objects.filter(organization_id=candidate.organization_id,
                                             application_id__in=[a.pk for a in applications])
                     .select_related("decided_by", "stage__version__process", "application__position")
                     .prefetch_related("stage__view_users"))
    visible = {}

    def stage_visible(stage) -> bool:
        if stage is None:
            return True
        if stage.pk not in visible:
            visible[stage.pk] = stage_can_view(actor=actor, stage=stage)
        return visible[stage.pk]

    return {"scorecards": cards, "decisions": [d for d in decisions if stage_visible(d.stage)]}
