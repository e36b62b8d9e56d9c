"""Roles and what each may do. One table, read by ``user_can``; later apps add permissions here.

In core (the lowest layer, see docs/architecture.md "Module boundaries") because every app checks permissions,
core itself included; ``accounts`` owns the users who hold the roles."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HR_ADMIN = "hr_admin", _("HR管理员")
    RECRUITER = "recruiter", _("招聘专员")
    INTERVIEWER = "interviewer", _("面试官")
    HIRING_MANAGER = "hiring_manager", _("用人经理")


class Perm:
    USERS_MANAGE = "users.manage"
    AUDIT_VIEW = "audit.view"
    ORG_SETTINGS = "org.settings"
    POSITIONS_MANAGE = "positions.manage"
    POSITIONS_VIEW_ALL = "positions.view_all"
    CANDIDATES_VIEW_ALL = "candidates.view_all"
    CANDIDATES_MANAGE = "candidates.manage"
    CANDIDATES_VIEW_ASSIGNED = "candidates.view_assigned"
    CANDIDATES_IMPORT = "candidates.import"  # import sandbox: upload, validate, commit
    CANDIDATES_EXPORT = "candidates.export"  # de-identified exports for analysis
    # 联系方式 / contact details: phone, e-mail, ID number and address in full (on request, audited); without it
    # they are shown masked everywhere (PIPL minimum necessary, see candidates/masking.py)
    CANDIDATES_CONTACT = "candidates.contact"
    EVALUATIONS_SCORE = "evaluations.score"
    DECISIONS_RECORD = "decisions.record"
    MESSAGING_VIEW = "messaging.view"  # the outbox, delivery logs and planned reminders
    MESSAGING_HELPDESK = "messaging.helpdesk"  # read and answer candidates' help-desk tickets
    MESSAGING_CONFIGURE = "messaging.configure"  # WeChat/WeCom accounts, templates, channel order
    ANALYTICS_VIEW = "analytics.view"  # funnel, scores, calibration, feedback and survey charts; Excel export
    # bias audits (aggregates of candidates' voluntary self-identification, never one person's) and the impact
    # assessment records; HR admins only: evaluators never see it (hirelens/fairness)
    COMPLIANCE_VIEW = "compliance.view"


_RECRUITING = {
    Perm.POSITIONS_MANAGE,
    Perm.POSITIONS_VIEW_ALL,
    Perm.CANDIDATES_VIEW_ALL,
    Perm.CANDIDATES_MANAGE,
    Perm.CANDIDATES_VIEW_ASSIGNED,
    Perm.CANDIDATES_IMPORT,
    Perm.CANDIDATES_EXPORT,
    Perm.CANDIDATES_CONTACT,
    Perm.DECISIONS_RECORD,
    Perm.MESSAGING_VIEW,
    Perm.MESSAGING_HELPDESK,
    Perm.ANALYTICS_VIEW,
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.HR_ADMIN: frozenset(_RECRUITING | {Perm.USERS_MANAGE, Perm.AUDIT_VIEW, Perm.ORG_SETTINGS, Perm.EVALUATIONS_SCORE,
                                              Perm.MESSAGING_CONFIGURE, Perm.COMPLIANCE_VIEW}),
    Role.RECRUITER: frozenset(_RECRUITING),
    Role.INTERVIEWER: frozenset({Perm.CANDIDATES_VIEW_ASSIGNED, Perm.EVALUATIONS_SCORE}),
    Role.HIRING_MANAGER: frozenset({Perm.CANDIDATES_VIEW_ASSIGNED, Perm.EVALUATIONS_SCORE, Perm.DECISIONS_RECORD,
                                    Perm.ANALYTICS_VIEW}),
}

# Roles a person can hold on one position (who recruits for it, who interviews, who decides).
class AssignmentRole(models.TextChoices):
    RECRUITER = "recruiter", _("招聘专员")
    INTERVIEWER = "interviewer", _("面试官")
    HIRING_MANAGER = "hiring_manager", _("用人经理")


def user_can(user, perm: str) -> bool:
    if user is None or not user.is_authenticated or not user.is_active or not user.organization_id:
        return False
    return perm in ROLE_PERMISSIONS.get(user.role, frozenset())
