"""Reading AI video sessions for other pages (the candidate hub's 面试 tab)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .access import session_list

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


def hub_sessions(*, actor, candidate) -> dict:
    """The candidate hub's AI sessions, newest first, as the actor may see them (stage permissions)."""
    now = timezone.now()
    rows = []
    for session in session_list(actor=actor, candidate=candidate):
        status = session_status(session, now)
        rows.append(SessionRow(session=session, status=status, status_label=str(SESSION_STATUS[status])))
    return {"sessions": rows}
