"""Every read of candidate data is audited: a walk over EVERY URL pattern (pages and API operations) of the demo.

Each pattern is filled from the demo organization (ids and tokens of one candidate's objects) and fetched with GET
as the HR admin. Then:

- a pattern in ``AUDITED`` must answer 200 and append an audit entry (read, read_file or export) naming the object
  that the page shows — in ``object_type``/``object_id``, or among the ``targets`` of a list page's one bulk entry
  (``audit_record_many``, issue 16);
- a pattern in ``LISTS`` shows candidates' names only and says why it needs no entry of its own — it must not show
  contact details;
- any other pattern must show no candidate data at all: neither a contact detail (phone, e-mail, of any demo
  candidate) nor a candidate's name. A new page or API operation that shows candidate data therefore fails here
  until it audits the read and is added to ``AUDITED``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from hirelens.core.models import AuditEvent

pytestmark = pytest.mark.django_db

READS = {AuditEvent.Action.READ, AuditEvent.Action.READ_FILE, AuditEvent.Action.EXPORT}


@dataclass(frozen=True)
class Names:
    """The audit entry must name this object: (object_type, key in the resolved parameters or a fixed id)."""

    object_type: str
    key: str  # a parameter name (its value is the id), "candidate" (the focus candidate), or "*" (any id: a list)


CANDIDATE = Names("candidates.candidate", "candidate")
ANY_CANDIDATE = Names("candidates.candidate", "*")

# route (as in the URL conf, converters left out) -> the object its audit entry names
AUDITED: dict[str, Names] = {
    "candidates/": ANY_CANDIDATE,  # one bulk entry naming the listed rows (candidate_list_read)
    "candidates/duplicates/": CANDIDATE,  # 赵磊 has a duplicate record in the demo
    "messaging/": ANY_CANDIDATE,
    "messaging/helpdesk/": ANY_CANDIDATE,
    "processes/position/<position_id>/board/": CANDIDATE,
    "processes/position/<position_id>/board/<stage_key>/": ANY_CANDIDATE,  # a board column's next page (issue 22)
    "scheduling/position/<position_id>/": CANDIDATE,
    "scheduling/interviews/": ANY_CANDIDATE,  # the organization's interviews, one bulk entry per page (issue 22)
    "interviews/": ANY_CANDIDATE,
    "feedback/": ANY_CANDIDATE,
    "candidates/<candidate_id>/": CANDIDATE,
    "candidates/<candidate_id>/resume/": CANDIDATE,
    "candidates/<candidate_id>/resume/review/": CANDIDATE,  # the parsed resume next to the record (candidate_read)
    "candidates/<candidate_id>/documents/<document_id>/": Names("candidates.document", "document_id"),
    "candidates/<candidate_id>/background/<check_id>/report/": Names("candidates.backgroundcheck", "check_id"),
    "messaging/messages/<message_id>/": Names("messaging.message", "message_id"),
    "messaging/helpdesk/<ticket_id>/": Names("messaging.ticket", "ticket_id"),
    "imports/<batch_id>/": Names("imports.importbatch", "batch_id"),
    "imports/export/candidates.csv": Names("", "*"),
    "interviews/<session_id>/": Names("interviews.interviewsession", "session_id"),
    "interviews/answers/<answer_id>/media": Names("interviews.answer", "answer_id"),
    "evaluations/": ANY_CANDIDATE,
    "evaluations/applications/<application_id>/": CANDIDATE,
    "evaluations/applications/<application_id>/report.pdf": CANDIDATE,
    "portal/<token>/": CANDIDATE,
    "scheduling/l/<token>/": Names("scheduling.interviewlink", "link_id"),
    "scheduling/interviews/<interview_id>/calendar.ics": CANDIDATE,  # the candidate's address, for contact-permitted staff
    "live/rooms/<room_id>/recording/": Names("live.liveroom", "room_id"),
    "analytics/export.xlsx": Names("", "xlsx"),
    "analytics/export.pdf": Names("", "pdf"),
    "api/v1/candidates/": ANY_CANDIDATE,
    "api/v1/candidates/<candidate_id>": CANDIDATE,
    "api/v1/candidates/<candidate_id>/timeline": CANDIDATE,
    "api/v1/candidates/<candidate_id>/documents": CANDIDATE,
    "api/v1/candidates/<candidate_id>/documents/<document_id>/file": Names("candidates.document", "document_id"),
    # issue 21: applications and live interviews name candidates: the pages' bulk entry (audit_list_read)
    "api/v1/applications/": ANY_CANDIDATE,
    "api/v1/applications/<application_id>": CANDIDATE,
    "api/v1/scheduling/interviews": ANY_CANDIDATE,
    "api/v1/scheduling/interviews/<interview_id>": CANDIDATE,
    # issue 21: AI interviews, live rooms, scorecards and decisions, audited as their pages are
    "api/v1/interviews/sessions": ANY_CANDIDATE,
    "api/v1/interviews/sessions/<session_id>": Names("interviews.interviewsession", "session_id"),
    "api/v1/interviews/sessions/<session_id>/report": Names("interviews.interviewsession", "session_id"),
    "api/v1/interviews/answers/<answer_id>/recording": Names("interviews.answer", "answer_id"),
    "api/v1/live/rooms": ANY_CANDIDATE,
    "api/v1/live/rooms/<room_id>": CANDIDATE,  # like entering the room page
    "api/v1/live/rooms/<room_id>/review": CANDIDATE,  # like the evaluation page that shows the review
    "api/v1/live/rooms/<room_id>/recording": Names("live.liveroom", "room_id"),
    "api/v1/evaluations/applications/<application_id>/scorecards": CANDIDATE,
    "api/v1/evaluations/scorecards/<scorecard_id>": CANDIDATE,
    "api/v1/evaluations/decisions": ANY_CANDIDATE,
    "api/v1/evaluations/decisions/<decision_id>": Names("candidates.candidate", "decision_candidate_id"),
    # issue 21: feedback cases, messages, help desk, privacy requests and analytics, audited as their pages are
    "api/v1/feedback/cases": ANY_CANDIDATE,
    "api/v1/feedback/cases/<case_id>": Names("candidates.candidate", "case_candidate_id"),
    "api/v1/messaging/messages": ANY_CANDIDATE,
    "api/v1/messaging/messages/<message_id>": Names("messaging.message", "message_id"),
    "api/v1/messaging/tickets": ANY_CANDIDATE,
    "api/v1/messaging/tickets/<ticket_id>": Names("messaging.ticket", "ticket_id"),
    "api/v1/privacy/requests": ANY_CANDIDATE,
    "api/v1/privacy/requests/<privacy_request_id>": Names("candidates.candidate", "privacy_candidate_id"),
    "api/v1/analytics/dashboard": ANY_CANDIDATE,  # the decisions made without an evaluation, by name
    "api/v1/analytics/export.xlsx": Names("", "xlsx"),
    "api/v1/analytics/export.pdf": Names("", "pdf"),
}

# route -> why it may show candidates' names without an entry of its own
LISTS: dict[str, str] = {
    "audit/": "the audit log names who was read, not their data",
    "messaging/reminders/": "planned reminders: one bulk entry when it lists anyone (test_list_costs); the demo may have none due",
    "candidates/<candidate_id>/merge/": "the merge form names both records (bulk list audit: issue 16)",
    "candidates/<candidate_id>/edit/": "the edit form (its save is audited as an update)",
    "processes/applications/<application_id>/": "pipeline progress of one application: the name only",
    "scheduling/interviews/<interview_id>/": "interview time and title: the name only",
    "scheduling/interviews/<interview_id>/calendar.ics": "calendar event: attendee names and e-mails for the invitee",
    "scheduling/l/<token>/calendar.ics": "the holder's own calendar event",
    "interviews/new/<application_id>/": "send-an-interview form: the name only",
    "live/rooms/<room_id>/incidents/": "the room's incidents and the candidate's help-desk reports, polled by the room page "
                                       "(entering the room is audited, naming the candidate)",
    "i/<token>/": "the candidate's own interview link",
    "i/<token>/state": "the candidate's own interview link",
    "imports/": "batch list: file names and counts",
    "positions/<position_id>/": "position page: applicants' names (bulk list audit: issue 16)",
    "evaluations/applications/<application_id>/stages/<stage_id>/card/": "scorecard form: the name only",
    "feedback/s/<token>/": "the candidate's own survey",
    "messaging/help/<token>/": "the candidate's own help form",
    "portal/<token>/applications/<application_id>/book/": "the candidate's own booking page",
    "api/v1/candidates/<candidate_id>/applications": "positions and stages of one candidate, no personal fields",
    "api/v1/processes/applications/<application_id>": "pipeline progress, no personal fields",
    "api/v1/scheduling/slots": "offered times; a slot offered to one candidate names them (one bulk entry when any)",
    "candidates/pick/applications": "the searchable picker: names and positions only",
    "analytics/": "the decisions made without an evaluation are listed by name for HR to review (the demo's imported rejections)",
    # issue 20: cases about a person show the name, the kind and the dates, no contact details or record fields
    "interviews/requests/": "candidates' accommodation and review requests: names, kinds and dates",
    "interviews/requests/<request_id>/": "one accommodation or review request: the name and what was asked",
    "privacy/requests/": "privacy requests: names, kinds and deadlines",
    "privacy/requests/<privacy_request_id>/": "one privacy request: the name, its kind, deadline and history",
    "privacy/candidates/<candidate_id>/new/": "recording a request on the candidate's behalf: the name only",
    "settings/retention/": "due for purge: names and dates",
    "settings/retention/<candidate_id>/extend/": "extending one candidate's retention: the name and the date",
}


def _routes(patterns=None, prefix: str = ""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", prefix + str(p.pattern))  # converters change (int, id)


def _fixtures():
    """Ids and tokens of one demo candidate's objects (赵磊, who has them all), and the demo's contact details."""
    from hirelens.accounts.models import Invitation, User
    from hirelens.candidates.models import BackgroundCheck, Candidate, Document, Project, WorkExperience
    from hirelens.candidates.services.history import background_check_save
    from hirelens.candidates.tests.documents import pdf_bytes, upload
    from hirelens.evaluations.models import Decision, Scorecard
    from hirelens.fairness.models import FairnessAudit, PIAVersion
    from hirelens.feedback.services import survey_send
    from hirelens.imports.models import ImportBatch
    from hirelens.integrations.models import ApiKey
    from hirelens.interviews.models import Answer, CandidateRequest, InterviewSession
    from hirelens.live.models import LiveRoom
    from hirelens.messaging.models import Message, Ticket
    from hirelens.messaging.services.helpdesk import help_link_token
    from hirelens.messaging.services.inbound import binding_token_create
    from hirelens.portal.services import portal_link_create
    from hirelens.positions.models import PositionAssignment
    from hirelens.privacy.models import PrivacyRequest
    from hirelens.scheduling.links import link_issue
    from hirelens.scheduling.models import InterviewSlot
    from hirelens.webhooks.models import WebhookDelivery, WebhookEndpoint
    from hirelens.workflows.models import Process, ProcessVersion, StageAsset

    admin = User.objects.get(email="admin@demo.hirelens.local")
    org = admin.organization
    candidate = next(c for c in Candidate.objects.filter(organization=org) if c.email == "zhao.lei@example.com")
    application = candidate.applications.first()
    session = InterviewSession.objects.filter(application__candidate=candidate).first()
    _link, portal_token = portal_link_create(actor=admin, candidate=candidate)
    link, scheduling_token = link_issue(application=application, kind="candidate",
                                         interview=application.interviews.filter(status="scheduled").first())
    _survey, survey_token = survey_send(application=application, stage_key="audit-walk", now=timezone.now())
    check = BackgroundCheck.objects.filter(candidate=candidate).first()
    background_check_save(actor=admin, candidate=candidate, provider=check.provider, status=check.status, check=check,
                          report=upload(pdf_bytes(["背景调查报告"]), "report.pdf"))
    process = Process.objects.filter(position=application.position).first()
    stage = application.progress.stage  # the stage the application is in: its scorecard form opens
    decision = Decision.objects.filter(organization=org).select_related("application").first()
    from hirelens.feedback.models import FeedbackCase

    case = FeedbackCase.objects.filter(organization=org).select_related("application").first()
    ids = {
        "candidate_id": candidate.pk, "application_id": application.pk, "position_id": application.position_id,
        "document_id": Document.objects.filter(candidate=candidate).first().pk,
        "project_id": Project.objects.filter(candidate=candidate).first().pk,
        "work_id": WorkExperience.objects.filter(candidate=candidate).first().pk,
        "check_id": check.pk,
        "session_id": session.pk,
        "answer_id": Answer.objects.filter(session=session).exclude(recording="").first().pk,
        "message_id": Message.objects.filter(candidate=candidate).first().pk,
        "ticket_id": Ticket.objects.filter(organization=org).first().pk,
        "interview_id": application.interviews.first().pk,
        "link_id": link.pk,
        "slot_id": (InterviewSlot.objects.filter(organization=org).first() or link).pk,
        "batch_id": ImportBatch.objects.filter(organization=org).first().pk,
        "scorecard_id": Scorecard.objects.filter(application=application).first().pk,
        "process_id": process.pk if process else 0,
        "version_id": ProcessVersion.objects.filter(process=process).first().pk if process else 0,
        "stage_id": stage.pk if stage else 0,
        "stage_key": stage.key if stage else "new",
        "asset_id": (StageAsset.objects.filter(organization=org).first() or stage).pk if stage else 0,
        "user_id": admin.pk,
        "invitation_id": (Invitation.objects.filter(organization=org).first() or admin).pk,
        "assignment_id": PositionAssignment.objects.filter(position=application.position).first().pk,
        "room_id": LiveRoom.objects.filter(application__candidate=candidate).first().pk,  # his recorded live interview
        # issue 20: the demo's privacy request, accommodation request, published bias audit and impact assessment
        "privacy_request_id": PrivacyRequest.objects.filter(organization=org).first().pk,
        "request_id": CandidateRequest.objects.filter(organization=org).first().pk,
        "audit_id": FairnessAudit.objects.filter(organization=org).first().pk,
        "pia_id": PIAVersion.objects.filter(organization=org).first().pk,
        # the demo's webhook endpoint and one of its deliveries (ids and status codes only: no candidate data)
        "endpoint_id": WebhookEndpoint.objects.filter(organization=org).first().pk,
        "delivery_id": WebhookDelivery.objects.filter(organization=org).first().pk,
        "key_id": ApiKey.objects.filter(organization=org).first().pk,  # issue 21: the demo's API keys
        "decision_id": decision.pk, "decision_candidate_id": decision.application.candidate_id,  # issue 21: the API
        "case_id": case.pk, "case_candidate_id": case.application.candidate_id,
        "privacy_candidate_id": PrivacyRequest.objects.filter(organization=org).first().candidate_id,
        "jurisdiction": "us_nyc",  # the demo's New York City retention limits (positions' titles, no candidate data)
        "index": 0, "field": "phone", "org_slug": org.slug, "kind": "invitation", "language": "zh-hans", "uidb64": "MQ", "token": "x",
    }
    tokens = {"portal/": portal_token, "scheduling/l/": scheduling_token, "feedback/s/": survey_token,
              "i/": "demo-emily-2026", "messaging/help/": help_link_token(candidate=candidate),
              "messaging/wechat/": binding_token_create(candidate=candidate).token}
    people = list(Candidate.objects.filter(organization=org))
    details = {value for c in people for value in (c.phone, c.email) if value}
    names = {c.full_name for c in people if c.full_name}
    return admin, candidate, ids, tokens, details, names


def _fill(route: str, ids: dict, tokens: dict) -> str:
    def value(match):
        name = match.group(2)
        if name == "token":
            return next((t for prefix, t in tokens.items() if route.startswith(prefix)), "x")
        return str(ids[name])

    return "/" + re.sub(r"<()(\w+)>", value, route)


def _expected_id(names: Names, ids: dict, candidate) -> str:
    if names.key == "candidate":
        return str(candidate.pk)
    return str(ids.get(names.key, names.key))


def _names(entry, object_type: str, object_id: str) -> bool:
    """Whether an audit entry names the object: a single entry by its type and id, a bulk entry among its targets."""
    entry_type, entry_id, targets = entry
    if (object_type in ("", entry_type)) and (object_id == "*" or str(entry_id) == str(object_id)):
        return True
    return any((object_type in ("", kind)) and (object_id == "*" or pk == str(object_id))
               for kind, pk in (target.rsplit(":", 1) for target in targets or []))


def test_every_read_of_candidate_data_is_audited(client):
    call_command("load_demo", stdout=open(os.devnull, "w"))
    admin, candidate, ids, tokens, details, names = _fixtures()
    routes = sorted(set(_routes()))
    for route in list(AUDITED) + list(LISTS):
        assert route in routes, f"{route!r} is in the table but no longer in the URL conf"
    client.force_login(admin)
    problems, walked = [], []
    for route in routes:
        url = _fill(route, ids, tokens)
        last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", errors="replace")
        entries = list(AuditEvent.objects.filter(pk__gt=last, action__in=READS).values_list("object_type", "object_id", "targets"))
        walked.append((response.status_code, route))
        shown_details = sorted(d for d in details if d in text)
        shown_names = sorted(n for n in names if n in text)
        if route in AUDITED:
            expected = AUDITED[route]
            object_id = _expected_id(expected, ids, candidate)
            if response.status_code != 200:
                problems.append(f"{url}: {response.status_code}, expected 200 (audited read path)")
            elif not any(_names(entry, expected.object_type, object_id) for entry in entries):
                problems.append(f"{url}: no audit entry naming {expected.object_type or '*'} #{object_id} (got {entries})")
        elif shown_details:
            problems.append(f"{url} ({route}) shows contact details {shown_details[:3]} without an audit entry: audit it, add to AUDITED")
        elif shown_names and route not in LISTS:
            problems.append(f"{url} ({route}) shows candidates' names {shown_names[:3]}: audit it (AUDITED) or explain it (LISTS)")
        client.force_login(admin)  # a page that logs out (none should on GET) does not blind the rest of the walk
    assert sum(code == 200 for code, _route in walked) >= len(AUDITED) + 40, walked  # the walk reached the pages
    assert problems == [], "\n".join(problems)
