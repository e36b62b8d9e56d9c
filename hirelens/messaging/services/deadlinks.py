"""Dead links (issue 19): a candidate's link that expired, was withdrawn or is not recognised answers a page of its
own (never the staff 404) that says what happened and offers "ask for a new link", a help-desk ticket to HR about
that very link.

Each resolver finds the link through the one link scheme (``core/tokens.find``), whatever its state, and returns a
``DeadLink``: what it was, for whom, since when, in which language. The views of the five apps and the help page
call ``dead_link_render`` from their dead-link branch; the request form posts to ``messaging:new_link`` with the same
token, so the subject of the ticket is always re-derived on the server (a forged form cannot name another link)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from hirelens.core import tokens

KINDS = ("interview", "live", "booking", "survey", "portal", "help")

# What a ticket is about, in words (HR's inbox and the candidate's thread); the label adds the position.
SUBJECT_NAMES = {
    "interviews.session": _("AI视频面试链接"),
    "scheduling.interview": _("视频面试链接"),
    "scheduling.link": _("预约面试链接"),
    "feedback.survey": _("满意度调查链接"),
    "portal.link": _("候选人中心链接"),
    "messaging.help": _("帮助页链接"),
    "unknown": _("无法识别的链接"),
}

# The step a candidate was on when they asked for help (the pages send these names), in words for HR.
STEP_NAMES = {
    "welcome": _("欢迎页"), "consent": _("同意说明"), "device": _("设备检查"), "practice": _("练习题"),
    "question": _("答题"), "review": _("检查并提交"), "done": _("已完成"), "waiting": _("等候室"), "room": _("面试间"),
    "join": _("进入面试间"), "booking": _("选择面试时间"), "booked": _("已预约"), "survey": _("填写调查"),
    "portal": _("候选人中心"), "expired": _("链接已过期"), "revoked": _("链接已撤回"), "unknown": _("无法识别的链接"),
    # the pages that end a path (issue 19: no dead ends): a closed room, a sent survey, the choice and explanation pages
    "ended": _("面试已结束"), "cancelled": _("面试已取消"), "not_live": _("这不是视频面试的链接"),
    "answered": _("调查已提交"), "choice": _("不使用AI分析或申请便利安排"), "explanation": _("查看测量内容或申请人工复核"),
    "privacy": _("我的数据与权利"), "self_identify": _("自愿填写性别与种族/族裔"),
    "other_candidate": _("打开了另一位候选人的链接"),
    "kind": _("用面试链接预约时间（链接与页面不符）"),
}


def step_words(step: str) -> str:
    """"question:3" → "答题 · 第 3 题"; an unknown name is shown as sent (it came from our own pages)."""
    name, _sep, number = (step or "").partition(":")
    words = str(STEP_NAMES.get(name, name))
    if number.isdigit():
        words += " · " + _("第 %(n)s 题") % {"n": int(number)}
    return words


@dataclass
class DeadLink:
    kind: str  # interview | live | booking | survey | portal | help
    status: str  # expired | revoked | unknown
    organization_id: int | None = None
    candidate: object | None = None
    subject_type: str = "unknown"
    subject_id: int | None = None
    title: str = ""  # the position (and interview title) the link was for: data, not words to translate
    ended_at: datetime | None = None
    zone: str = "Asia/Shanghai"
    language: str = ""  # the interview's language when known ("" → the browser's)

    @property
    def subject_name(self) -> str:
        return str(SUBJECT_NAMES.get(self.subject_type, SUBJECT_NAMES["unknown"]))

    @property
    def when(self) -> str:
        """The date it stopped working, in the link's zone named in words, in the active language."""
        if self.ended_at is None:
            return ""
        from hirelens.core.timezones import when_text

        return when_text(self.ended_at, self.zone, language=translation.get_language() or "zh-hans")


def _interview(token: str) -> DeadLink:
    from hirelens.interviews.services import session_time_zone

    session, state = tokens.find("interviews.session", token)
    if session is None:
        return DeadLink(kind="interview", status="unknown")
    revoked = state == tokens.REVOKED
    return DeadLink(kind="interview", status="revoked" if revoked else "expired", organization_id=session.organization_id,
                    candidate=session.application.candidate, subject_type="interviews.session", subject_id=session.pk,
                    title=session.application.position.title + ("" if session.title == "AI视频面试" else f" · {session.title}"),
                    ended_at=(session.revoked_at or session.updated_at) if revoked else session.expires_at,
                    zone=session_time_zone(session), language="en" if session.language.startswith("en") else "zh-hans")


def _scheduling(token: str, kind: str) -> DeadLink:
    from hirelens.scheduling.models import InterviewLink

    link, _state = tokens.find("scheduling.link", token)
    if link is None or link.kind == InterviewLink.Kind.INTERVIEWER:  # a staff link is no candidate's business here
        return DeadLink(kind=kind, status="unknown")
    interview = link.interview
    booking = link.kind == InterviewLink.Kind.BOOKING
    name = "" if interview is None else interview.own_name  # the default title only repeats the position
    title = link.application.position.title + (f" · {name}" if name else "")
    return DeadLink(kind=kind, status="revoked" if link.revoked_at is not None else "expired",
                    organization_id=link.organization_id, candidate=link.application.candidate,
                    subject_type="scheduling.link" if booking or interview is None else "scheduling.interview",
                    subject_id=link.pk if booking or interview is None else interview.pk, title=title,
                    ended_at=link.revoked_at or link.expires_at,
                    zone=(interview.time_zone if interview else link.application.position.time_zone) or "Asia/Shanghai")


def _survey(token: str) -> DeadLink:
    survey, _state = tokens.find("feedback.survey", token)
    if survey is None:
        return DeadLink(kind="survey", status="unknown")
    return DeadLink(kind="survey", status="expired", organization_id=survey.organization_id,
                    candidate=survey.application.candidate, subject_type="feedback.survey", subject_id=survey.pk,
                    title=survey.position.title, ended_at=survey.expires_at, zone=survey.position.time_zone or "Asia/Shanghai")


def _portal(token: str) -> DeadLink:
    link, _state = tokens.find("portal.link", token)
    if link is None:
        return DeadLink(kind="portal", status="unknown")
    return DeadLink(kind="portal", status="revoked" if link.revoked_at is not None else "expired",
                    organization_id=link.organization_id, candidate=link.candidate, subject_type="portal.link",
                    subject_id=link.pk, title="", ended_at=link.revoked_at or link.expires_at,
                    zone=link.organization.time_zone or "Asia/Shanghai")


def _help(token: str) -> DeadLink:
    """A help page's link (``messaging.help``). A visitor's thread link names no candidate: HR's answer (the message
    that carried it) is where they ask again, so the page offers no request form."""
    link, state = tokens.find("messaging.help", token)
    if link is None:
        return DeadLink(kind="help", status="unknown")
    if link.candidate is None:
        return DeadLink(kind="help", status="revoked" if state == tokens.REVOKED else "expired",
                        subject_type="messaging.help", ended_at=link.revoked_at or link.expires_at)
    return DeadLink(kind="help", status="revoked" if state == tokens.REVOKED else "expired",
                    organization_id=link.organization_id, candidate=link.candidate, subject_type="messaging.help",
                    subject_id=link.pk, title=subject_title(link.subject_type, link.subject_id,
                                                            organization_id=link.organization_id),
                    ended_at=link.revoked_at or link.expires_at, zone=link.organization.time_zone or "Asia/Shanghai")


def dead_link_resolve(*, kind: str, token: str) -> DeadLink:
    """What a link that does not open was (never raises). A link that does open is not asked about here."""
    if kind == "interview":
        dead = _interview(token)
    elif kind in ("live", "booking"):
        dead = _scheduling(token, kind)
    elif kind == "survey":
        dead = _survey(token)
    elif kind == "portal":
        dead = _portal(token)
    elif kind == "help":
        dead = _help(token)
    else:
        dead = DeadLink(kind="interview", status="unknown")
    if dead.status == "unknown":
        dead.organization_id = _sole_organization_id()
    return dead


def _sole_organization_id() -> int | None:
    """An unknown link names no company: on a one-company install its requests go to that company; with several
    companies the page only says to check the link (there is no one to route the request to)."""
    from hirelens.core.models import Organization

    ids = list(Organization.objects.values_list("pk", flat=True)[:2])
    return ids[0] if len(ids) == 1 else None


def dead_link_status_code(dead: DeadLink) -> int:
    return 404 if dead.status == "unknown" else 410


def dead_link_language(request, dead: DeadLink) -> str:
    """The candidate's language: their own choice (the language cookie) first, then the interview's, else the
    browser's (LocaleMiddleware already read Accept-Language)."""
    from django.conf import settings

    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return translation.get_language()
    return dead.language or translation.get_language()


def dead_link_render(request, template: str, *, kind: str, token: str, context: dict | None = None):
    """The dead-link branch of a candidate view: ``template`` (the app's own page) includes
    ``messaging/_dead_link.html``; 410 for an expired or withdrawn link, 404 for an unknown one."""
    from django.shortcuts import render

    dead = dead_link_resolve(kind=kind, token=token)
    with translation.override(dead_link_language(request, dead)):
        response = render(request, template, {**(context or {}), "dead": dead, "dead_token": token,
                                              "now": timezone.now()}, status=dead_link_status_code(dead))
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


SubjectTitleProvider = Callable[..., tuple[str, ...] | None]  # (*, organization_id, subject_id) -> title parts
_subject_titles: dict[str, SubjectTitleProvider] = {}


def subject_title_register(subject_type: str, provider: SubjectTitleProvider) -> None:
    """A higher app's subject (feedback's ``feedback.survey``), registered from its ``AppConfig.ready()``:
    ``provider(*, organization_id, subject_id)`` gives the position (and title) it is about, or None."""
    _subject_titles[subject_type] = provider


def subject_title(subject_type: str, subject_id: int | None, *, organization_id: int) -> str:
    """The position (and interview title) a subject is about, fixed on the ticket when it opens."""
    if not subject_type or subject_id is None:
        return ""
    if subject_type == "interviews.session":
        from hirelens.interviews.models import InterviewSession

        row = (InterviewSession.objects.filter(organization_id=organization_id, pk=subject_id)
               .values_list("application__position__title", "title").first())
    elif subject_type == "scheduling.interview":
        from hirelens.scheduling.models import Interview

        row = (Interview.objects.filter(organization_id=organization_id, pk=subject_id)
               .values_list("application__position__title", "title").first())
    elif subject_type == "scheduling.link":
        from hirelens.scheduling.models import InterviewLink

        row = InterviewLink.objects.filter(organization_id=organization_id, pk=subject_id).values_list(
            "application__position__title").first()
    elif subject_type in _subject_titles:  # a higher app's link (feedback's survey): its registered provider
        row = _subject_titles[subject_type](organization_id=organization_id, subject_id=subject_id)
    else:
        row = None
    return " · ".join(part for part in (row or ()) if part)
