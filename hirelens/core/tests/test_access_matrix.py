"""Every URL and API operation that takes an id × every staff role × assigned / unassigned position × own /
other organization → the expected status, generated from the URL conf and the OpenAPI schema.

The world: organization A with position P1 (no one of the panel assigned) and P2 (the interviewer and the hiring
manager assigned), organization B with one position; one object of each kind per position (candidate,
application, progress, interview session, answer with a recording, scheduled interview, its link, slot,
scorecard, process, stage, stage asset, document, project, work, background check, portal link, assignment) and
per organization (ticket, message, import batch, user, invitation).

``RULES`` gives, for every URL name (and every API operation), which kind of object it is about and who may use
it. A URL or operation with a parameter and no rule fails the test: a new URL cannot be missed. A GET that is
allowed must answer 200; a refused one 403 or 404 as the rule says. A POST-only URL is posted to (empty form)
inside a transaction that is rolled back afterwards: a refused POST must answer 403/404 and change no row.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from hirelens.accounts.tests.factories import OrganizationFactory, UserFactory

ROLES = ("hr_admin", "recruiter", "interviewer", "hiring_manager")
SCOPES = ("assigned", "unassigned", "foreign")  # P2 (panel assigned), P1 (not), organization B
# plus "shared": a position-1 application of the position-2 candidate, checked against the "unassigned" column on
# every URL about an application or something hanging off one (APPLICATION_PARAMS)
ORG_SCOPES = ("own", "foreign")  # objects that belong to the organization, not to a position


# --- the world --------------------------------------------------------------------------------------------------

APPLICATION_PARAMS = {"application_id", "session_id", "candidate_request_id", "answer_id", "interview_id", "interview_link_id", "scorecard_id", "room_id",
                      "decision_id"}


def _application_world(application, *, hr, panelist, stage, start) -> dict:
    """The objects hanging off one application: progress, AI interview session with a recorded answer, scheduled
    interview and its interviewer link, a submitted scorecard."""
    from hirelens.evaluations import services as evaluations
    from hirelens.evaluations.tests.factories import ratings
    from hirelens.interviews.models import Answer
    from hirelens.interviews.tests.factories import InterviewSessionFactory
    from hirelens.scheduling import services as scheduling
    from hirelens.scheduling.links import link_issue
    from hirelens.workflows import services as wf

    wf.pipeline_start(actor=hr, application=application)
    session = InterviewSessionFactory(application=application)
    answer = Answer.objects.create(organization=application.organization, session=session, question_index=0, status=Answer.Status.COMPLETE,
                                   mime_type="video/webm", size=4)
    answer.recording.save("a.webm", ContentFile(b"webm"))
    interview = scheduling.interview_schedule(actor=hr, application=application, start=start, end=start + timedelta(hours=1),
                                              interviewers=[panelist], time_zone="Asia/Shanghai")
    link, _token = link_issue(application=application, kind="interviewer", interview=interview, user=panelist)
    from hirelens.live.services import room_for_interview

    room = room_for_interview(interview=interview)  # its live room, with a recording to play
    room.recording.save("room.webm", ContentFile(b"webm"))
    card = evaluations.scorecard_submit(actor=panelist, application=application, stage=stage, ratings=ratings(4, 4, 4, 4),
                                        recommendation="hire")
    from hirelens.interviews.choice import request_create
    from hirelens.interviews.testing import session_actor_for

    candidate_request = request_create(actor=session_actor_for(session), session=session, kind="extra_time", details="我需要更多时间")
    from hirelens.evaluations.models import Decision

    decision = Decision.objects.create(organization=application.organization, application=application, outcome="hold",
                                       rationale="等待终面", decided_by=hr)  # a recorded decision to read (the API)
    from hirelens.feedback.models import FeedbackCase

    return {"case_id": FeedbackCase.objects.get(application=application).pk,  # opened by the submitted card
            "decision_id": decision.pk, "application_id": application.pk, "session_id": session.pk, "answer_id": answer.pk,
            "candidate_request_id": candidate_request.pk,
            "interview_id": interview.pk, "interview_link_id": link.pk, "scorecard_id": card.pk, "room_id": room.pk,
            "incident_kind": "late"}


def _position_world(org, hr, panelist, title):
    from hirelens.candidates.models import BackgroundCheck, Document, Project, WorkExperience
    from hirelens.portal.services import portal_link_create
    from hirelens.scheduling import services as scheduling
    from hirelens.workflows import services as wf
    from hirelens.workflows.models import StageAsset
    from hirelens.workflows.tests.factories import assign, make_application, make_position, published_process

    position = make_position(org, title=title)
    assignment = assign(position, panelist, "interviewer")
    process, version = published_process(hr, position, "technical")
    stage = version.stages.get(module="live")
    asset = StageAsset.objects.create(organization=org, stage_key=stage.key, name="q.txt", content_type="text/plain",
                                      file=ContentFile(b"question", name="q.txt"))
    application = make_application(position, f"{title}候选人")
    candidate = application.candidate
    candidate.resume.save("r.pdf", ContentFile(b"%PDF-1.4 resume"), save=False)
    candidate.resume_name, candidate.resume_content_type = "r.pdf", "application/pdf"
    candidate.save()
    draft = wf.process_create(actor=hr, position=position, starter="technical")
    draft_stage = draft.versions.get(status="draft").stages.order_by("order").first()
    start = timezone.now() + timedelta(days=3)
    slot = scheduling.slot_create(actor=hr, position=position, start=start + timedelta(days=1),
                                  end=start + timedelta(days=1, hours=1), interviewers=[panelist], time_zone="Asia/Shanghai")
    ids = _application_world(application, hr=hr, panelist=panelist, stage=stage, start=start)
    document = Document.objects.create(organization=org, candidate=candidate, file=ContentFile(b"%PDF-1.4", name="d.pdf"),
                                       filename="d.pdf", content_type="application/pdf", size=8)
    project = Project.objects.create(organization=org, candidate=candidate, name="项目")
    work = WorkExperience.objects.create(organization=org, candidate=candidate, employer="公司", title="工程师")
    check = BackgroundCheck.objects.create(organization=org, candidate=candidate, provider="背调公司",
                                           report=ContentFile(b"%PDF-1.4", name="r.pdf"))
    portal_link, _secret = portal_link_create(actor=hr, candidate=candidate)
    return ids | {
        "position_id": position.pk, "assignment_id": assignment.pk, "process_id": process.pk, "stage_id": stage.pk,
        "asset_id": asset.pk, "candidate_id": candidate.pk, "slot_id": slot.pk, "document_id": document.pk, "project_id": project.pk, "work_id": work.pk,
        "check_id": check.pk, "portal_link_id": portal_link.pk, "version_id": version.pk, "stage_key": stage.key,
        "draft_process_id": draft.pk, "draft_stage_id": draft_stage.pk,
    }


def _org_world(org, hr):
    from hirelens.accounts import services as accounts
    from hirelens.imports.models import ImportBatch
    from hirelens.messaging.services.helpdesk import ticket_open_web
    from hirelens.messaging.services.messages import message_send

    candidate = apps.get_model("candidates", "Candidate").objects.create(organization=org, full_name="求助者",
                                                                         email="help@example.com")
    ticket = ticket_open_web(organization_id=org.pk, body="打不开", contact="help@example.com")
    message = message_send(organization_id=org.pk, kind="invitation", candidate=candidate,
                           variables={"position": "销售", "link": "https://example.com/i/x", "deadline": "明天"})
    batch = ImportBatch.objects.create(organization=org, created_by=hr, file=ContentFile(b"a,b\n1,2\n", name="b.csv"),
                                       file_kind="csv", headers=["a", "b"])
    colleague = UserFactory(organization=org, role="recruiter", email=f"colleague-{org.pk}@example.com")
    invitation = accounts.invitation_create(actor=hr, email=f"new-{org.pk}@example.com", role="interviewer")
    from hirelens.privacy.services import privacy_request_create

    privacy_request = privacy_request_create(candidate=candidate, kind="access", actor=hr)
    from hirelens.fairness import services as fairness
    from hirelens.fairness.selectors import fairness_report

    report = fairness_report(actor=hr, position=apps.get_model("positions", "Position").objects.filter(organization=org).first(), stage="ai")
    audit = fairness.audit_create(actor=hr, report=report, stage_label="AI", distribution_date=None, data_source="HireLens")
    pia = fairness.pia_version_create(actor=hr)
    from hirelens.integrations.testing import make_api_key

    api_key, _token = make_api_key(hr, name="HRIS")
    apps.get_model("core", "RetentionPolicy").objects.create(organization=org, jurisdiction="eu")  # a jurisdiction's own limits
    return {"audit_id": audit.pk, "pia_id": pia.pk, "key_id": api_key.pk,
            "ticket_id": ticket.pk, "message_id": message.pk, "batch_id": batch.pk, "user_id": colleague.pk,
            "invitation_id": invitation.pk, "spare_candidate_id": candidate.pk, "privacy_request_id": privacy_request.pk, "org_slug": org.slug,
            "kind": "invitation", "notice_kind": "ai_analysis", "language": "zh-hans", "field": "phone",
            "retention_jurisdiction": "eu"}


def _webhook_world(org, hr) -> dict:
    """A webhook endpoint of the organization with one delivery in its log."""
    from hirelens.core import events
    from hirelens.webhooks.models import WebhookDelivery
    from hirelens.webhooks.services import endpoint_create

    endpoint, _secret = endpoint_create(actor=hr, url=f"https://hooks-{org.slug}.example.com/hirelens", event_types=["decision.recorded"])
    events.emit(events.DecisionRecorded(organization_id=org.pk, decision_id=1, application_id=1, outcome="hold"))
    return {"endpoint_id": endpoint.pk, "delivery_id": WebhookDelivery.objects.get(endpoint=endpoint).pk}


@pytest.fixture
def world(org, hr_admin, recruiter, interviewer, hiring_manager):
    from hirelens.workflows.tests.factories import assign

    other = OrganizationFactory(name="别家公司", slug="elsewhere")
    other_hr = UserFactory(organization=other, role="hr_admin", email="hr@elsewhere.example.com")
    panel_a1 = UserFactory(organization=org, role="interviewer", email="panel1@example.com")
    panel_a2 = UserFactory(organization=org, role="interviewer", email="panel2@example.com")
    panel_b = UserFactory(organization=other, role="interviewer", email="panel@elsewhere.example.com")
    scopes = {
        "unassigned": _position_world(org, hr_admin, panel_a1, "销售代表"),
        "assigned": _position_world(org, hr_admin, panel_a2, "后端工程师"),
        "foreign": _position_world(other, other_hr, panel_b, "别家职位"),
    }
    p2 = apps.get_model("positions", "Position").objects.get(pk=scopes["assigned"]["position_id"])
    assign(p2, interviewer, "interviewer")
    assign(p2, hiring_manager, "hiring_manager")
    own, foreign = _org_world(org, hr_admin), _org_world(other, other_hr)
    own, foreign = own | _webhook_world(org, hr_admin), foreign | _webhook_world(other, other_hr)
    for key in ("unassigned", "assigned"):
        scopes[key].update(own)
    scopes["foreign"].update(foreign)
    # The drift of issue 15: the candidate of position 2 also applied to position 1. The panel of position 2 sees
    # the candidate, but not this application nor anything hanging off it.
    from hirelens.candidates.models import Application
    from hirelens.workflows.models import Stage

    p1 = apps.get_model("positions", "Position").objects.get(pk=scopes["unassigned"]["position_id"])
    shared = Application.objects.create(organization=org, position=p1, candidate_id=scopes["assigned"]["candidate_id"])
    scopes["shared"] = scopes["unassigned"] | _application_world(
        shared, hr=hr_admin, panelist=panel_a1, stage=Stage.objects.get(pk=scopes["unassigned"]["stage_id"]),
        start=timezone.now() + timedelta(days=10)) | {"candidate_id": shared.candidate_id}
    return scopes


# --- walking the URL conf ---------------------------------------------------------------------------------------

def walk(patterns=None, prefix="", namespace=""):
    """(route, name) of every URL pattern, with the full route (Django converters kept)."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, route, ns)
        elif isinstance(entry, URLPattern):
            yield route, f"{namespace}{entry.name}" if entry.name else route


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
# a parameter whose name is ambiguous across apps, per URL name
PARAM_OVERRIDES = {("portal:link_revoke", "link_id"): "portal_link_id",
                   ("scheduling:link_revoke", "link_id"): "interview_link_id",
                   ("live:incident_report", "kind"): "incident_kind",
                   ("interviews:request_detail", "request_id"): "candidate_request_id",
                   ("interviews:notice_edit", "kind"): "notice_kind",
                   ("retention:limit_edit", "jurisdiction"): "retention_jurisdiction",
                   ("retention:limit_remove", "jurisdiction"): "retention_jurisdiction"}


def fill(name: str, route: str, ids: dict) -> str:
    def value(match):
        converter, param = match.group(1) or "str", match.group(2)
        key = PARAM_OVERRIDES.get((name, param), param)
        if key in ids:
            return str(ids[key])
        return "x" if converter in ("str", "slug", "path") else "1"
    return "/" + PARAM.sub(value, route).replace("^", "").replace("$", "")


_FINGERPRINT_SQL = None


def fingerprint():
    """Row count (and last change, where the table has one) of every table but the audit log, sessions and
    lock-out records, in one query: a refused request must change none of them."""
    global _FINGERPRINT_SQL
    if _FINGERPRINT_SQL is None:
        quote, parts = connection.ops.quote_name, []
        for model in apps.get_models(include_auto_created=True):
            if model._meta.app_label in ("sessions", "admin", "contenttypes", "axes") or model.__name__ == "AuditEvent":
                continue
            table = quote(model._meta.db_table)
            parts.append(f"(SELECT COUNT(*) FROM {table})")
            if "updated_at" in {f.name for f in model._meta.concrete_fields}:
                parts.append(f"(SELECT MAX({quote('updated_at')}) FROM {table})")
        _FINGERPRINT_SQL = "SELECT " + ", ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(_FINGERPRINT_SQL)
        return cursor.fetchone()


# --- the expected outcome --------------------------------------------------------------------------------------
# For each role, the outcome on (assigned position, unassigned position, other organization). "ok" is 200 for a
# GET; for a POST anything but 403/404 and a server error (it is rolled back). Organization-wide objects have
# the same id on the first two columns.
OK = "ok"
MOVED = 302  # a GET that sends the allowed person on (to the object's own page)
_ALL_404 = (404, 404, 404)
READ = {"hr_admin": (OK, OK, 404), "recruiter": (OK, OK, 404), "interviewer": (OK, 404, 404),
        "hiring_manager": (OK, 404, 404)}
# entering an interview's live room by the interview's id: the allowed are sent to the room
READ_MOVED = {role: tuple(MOVED if outcome == OK else outcome for outcome in READ[role]) for role in READ}
# the panel sees the object but may not change it
MANAGE = {"hr_admin": (OK, OK, 404), "recruiter": (OK, OK, 404), "interviewer": (403, 404, 404),
          "hiring_manager": (403, 404, 404)}
# candidate record edits: a reader without CANDIDATES_MANAGE gets the same 404 as a stranger (candidates/access.py)
EDIT_RECORD = {"hr_admin": (OK, OK, 404), "recruiter": (OK, OK, 404), "interviewer": _ALL_404, "hiring_manager": _ALL_404}
# revealing a contact detail in full (candidates/masking.py): HR with the contact permission; the panel sees the
# record (masked) but is refused the value
CONTACT = {"hr_admin": (OK, OK, 404), "recruiter": (OK, OK, 404), "interviewer": (403, 404, 404),
           "hiring_manager": (403, 404, 404)}
# scoring: recruiters have no scorecard; the panel scores its own positions
SCORE = {"hr_admin": (OK, OK, 404), "recruiter": (403, 403, 404), "interviewer": (OK, 404, 404),
         "hiring_manager": (OK, 404, 404)}
# decisions and pipeline moves: HR and the hiring manager, not the interviewer
DECIDE = {"hr_admin": (OK, OK, 404), "recruiter": (OK, OK, 404), "interviewer": (403, 404, 404),
          "hiring_manager": (OK, 404, 404)}
# amending a submitted card: its author only; the panel does not even see another's card before submitting (blind)
AMEND = {"hr_admin": (403, 403, 404), "recruiter": (403, 403, 404), "interviewer": _ALL_404, "hiring_manager": _ALL_404}
# another interviewer's submitted scorecard: HR reads it; the panel is blind until it submits its own (404, as missing)
BLIND = {"hr_admin": (OK, OK, 404), "recruiter": (OK, OK, 404), "interviewer": _ALL_404, "hiring_manager": _ALL_404}
# organization-wide recruiting data (help desk, outbox, imports): HR only, the panel gets 404
HR_ONLY = {"hr_admin": (OK, OK, 404), "recruiter": (OK, OK, 404), "interviewer": _ALL_404, "hiring_manager": _ALL_404}
# user administration: the HR admin only; everyone else is refused before any lookup
ADMIN = {"hr_admin": (OK, OK, 404), "recruiter": (403, 403, 403), "interviewer": (403, 403, 403),
         "hiring_manager": (403, 403, 403)}
# the organization's message templates (not an object of a position): whoever may read the outbox
OUTBOX = {"hr_admin": (OK, OK, OK), "recruiter": (OK, OK, OK), "interviewer": (403, 403, 403),
          "hiring_manager": (403, 403, 403)}
# candidates' and interviewers' links: the token is the credential; a staff session with a forged token gets 404
TOKEN = dict.fromkeys(ROLES, _ALL_404)
# WeChat / WeCom callbacks: an unsigned request is refused, whoever's session carries it
UNSIGNED = dict.fromkeys(ROLES, (403, 403, 403))
# bias audits and impact-assessment records (hirelens/fairness): HR admins only; everyone else is refused (403) before
# any lookup, evaluators included
COMPLIANCE = {"hr_admin": (OK, OK, 404), "recruiter": (403, 403, 403), "interviewer": (403, 403, 403),
              "hiring_manager": (403, 403, 403)}
# the organization's own settings that are not rows of a tenant (a notice kind): the HR admin, in any scope; everyone
# else refused before any lookup
SETTINGS_KIND = {"hr_admin": (OK, OK, OK), "recruiter": (403, 403, 403), "interviewer": (403, 403, 403),
                 "hiring_manager": (403, 403, 403)}
# public endpoints whose answer does not depend on who asks
PUBLIC_200 = dict.fromkeys(ROLES, (OK, OK, OK))

RULES = {
    "accounts:invitation_accept": TOKEN, "accounts:invitation_revoke": ADMIN, "accounts:password_reset_confirm": PUBLIC_200,
    "accounts:user_edit": ADMIN, "accounts:user_unlock": ADMIN,
    "candidates:detail": READ, "candidates:document": READ, "candidates:background_report": READ, "candidates:resume": READ,
    "candidates:application_add": EDIT_RECORD, "candidates:application_update": EDIT_RECORD,
    "candidates:background_add": EDIT_RECORD, "candidates:document_upload": EDIT_RECORD,
    "candidates:document_review": EDIT_RECORD, "candidates:edit": EDIT_RECORD, "candidates:merge": EDIT_RECORD, "candidates:merge_undo": EDIT_RECORD,
    "candidates:project_add": EDIT_RECORD, "candidates:project_edit": EDIT_RECORD, "candidates:project_delete": EDIT_RECORD,
    "candidates:resume_review": EDIT_RECORD, "candidates:resume_upload": EDIT_RECORD, "candidates:work_add": EDIT_RECORD, "candidates:work_delete": EDIT_RECORD,
    "candidates:contact_reveal": CONTACT,
    "evaluations:application": READ, "evaluations:report_pdf": READ, "evaluations:scorecard": SCORE,
    "evaluations:decide": DECIDE, "evaluations:amend": AMEND, "evaluations:position_settings": MANAGE,
    "feedback:survey": TOKEN,
    "imports:detail": HR_ONLY, "imports:commit": HR_ONLY, "imports:discard": HR_ONLY, "imports:map": HR_ONLY,
    "imports:report": HR_ONLY,
    "interviews:detail": READ, "interviews:answer_media": READ, "interviews:revoke": MANAGE, "interviews:resend": MANAGE, "interviews:new": MANAGE,
    **{f"interviews:candidate{suffix}": TOKEN for suffix in ("", "_answer_begin", "_chunk", "_answer_finish", "_answer_text",
                                                              "_answer_continue", "_answer_interruption", "_answer_keep", "_consent", "_speedtest",
                                                              "_start", "_state", "_submit", "_choice", "_explanation")},
    # the candidate's own requests (accommodation, human review): whoever may read the session; answering is HR's
    "interviews:request_detail": READ, "interviews:notice_edit": SETTINGS_KIND,
    "messaging:help": TOKEN, "messaging:new_link": TOKEN, "messaging:ticket": HR_ONLY, "messaging:ticket_close": HR_ONLY,
    "messaging:ticket_resend": HR_ONLY, "messaging:ticket_help_links_revoke": HR_ONLY,
    "messaging:ticket_reply": HR_ONLY, "messaging:message": HR_ONLY, "messaging:template_edit": OUTBOX,
    "messaging:wechat_bind": TOKEN, "messaging:wechat_callback": UNSIGNED, "messaging:wecom_callback": UNSIGNED,
    **{f"portal:{name}": TOKEN for name in ("home", "book", "document", "profile", "project_add", "project_edit",
                                            "project_delete", "resume", "interview_open")},
    "portal:link_create": EDIT_RECORD, "portal:link_revoke": EDIT_RECORD,
    **{f"privacy:{name}": HR_ONLY for name in ("detail", "start", "complete", "refuse", "export", "progress")},
    "privacy:new": EDIT_RECORD, "privacy:download": TOKEN, "privacy:portal": TOKEN,
    "positions:detail": READ, "positions:assign": MANAGE, "positions:unassign": MANAGE, "positions:edit": MANAGE,
    "workflows:activate": MANAGE, "workflows:clone": MANAGE, "workflows:designer": MANAGE, "workflows:preview": MANAGE,
    "workflows:publish": MANAGE, "workflows:stage_add": MANAGE, "workflows:stages_reorder": MANAGE,
    "workflows:new": MANAGE, "workflows:stage_card": MANAGE, "workflows:stage_delete": MANAGE,
    "workflows:stage_edit": MANAGE,
    "workflows:application": READ, "workflows:position": READ, "workflows:board": READ, "workflows:stage_asset": READ,
    "workflows:board_column": READ,
    "workflows:application_move_to": DECIDE, "workflows:application_move": DECIDE, "workflows:application_start": DECIDE,
    "workflows:stage_score": SCORE, "workflows:stage_import_scores": SCORE,
    "scheduling:interview": READ, "scheduling:calendar": READ, "scheduling:position": READ,
    "scheduling:cancel": MANAGE, "scheduling:interview_links": MANAGE, "scheduling:link_revoke": MANAGE,
    "scheduling:reschedule": MANAGE, "scheduling:booking_link": MANAGE, "scheduling:interview_new": MANAGE,
    "scheduling:slot_new": MANAGE, "scheduling:slot_cancel": MANAGE,
    "scheduling:link": TOKEN, "scheduling:link_calendar": TOKEN,
    # the live room: the interviewers' room, its incidents and recording follow the interview page's rule; the
    # candidate's pages need the candidate link (or the browser session it granted)
    "live:room": READ, "live:interview_room": READ_MOVED, "live:incidents": READ, "live:incident_report": READ,
    "live:incident_voice_only": READ, "live:room_recording": READ, "live:join": TOKEN, "live:consent": TOKEN,
    **{f"fairness:{name}": COMPLIANCE for name in ("audit", "audit_pdf", "audit_publish", "audit_unpublish", "record",
                                                   "record_pdf", "record_delete")},
    "fairness:public": TOKEN, "fairness:self_identify": TOKEN,
    "integrations:api_key_revoke": ADMIN,  # API keys: organization settings, HR admin (as retention)
    "retention:extend": ADMIN,  # keeping a candidate past the retention limit: organization settings, HR admin
    # a jurisdiction's own retention limits (by its code, each organization its own row): the HR admin only
    "retention:limit_edit": SETTINGS_KIND, "retention:limit_remove": SETTINGS_KIND,
    # webhooks (hirelens/webhooks): organization settings, HR admin; the pages and the API
    **{f"webhooks:{name}": ADMIN for name in ("detail", "rotate", "delete", "resend")},
    **{f"{op} /api/v1/webhooks/endpoints/{{endpoint_id}}{tail}": ADMIN for op, tail in (
        ("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/rotate-secret"), ("GET", "/deliveries"),
        ("GET", "/deliveries/{delivery_id}"), ("POST", "/deliveries/{delivery_id}/resend"))},
    # the API, by "METHOD path" from the OpenAPI document
    "GET /api/v1/candidates/{candidate_id}": READ, "PATCH /api/v1/candidates/{candidate_id}": EDIT_RECORD,
    "POST /api/v1/candidates/{candidate_id}/contact/{field}": CONTACT,
    "GET /api/v1/candidates/{candidate_id}/timeline": READ, "GET /api/v1/candidates/{candidate_id}/documents": READ,
    "POST /api/v1/candidates/{candidate_id}/documents": EDIT_RECORD,
    "GET /api/v1/candidates/{candidate_id}/documents/{document_id}/file": READ,
    "GET /api/v1/candidates/{candidate_id}/applications": READ,
    "POST /api/v1/candidates/{candidate_id}/applications": EDIT_RECORD,
    "PATCH /api/v1/candidates/{candidate_id}/applications/{application_id}": EDIT_RECORD,
    "GET /api/v1/scheduling/interviews/{interview_id}": READ,
    "GET /api/v1/processes/positions/{position_id}/processes": READ,
    "GET /api/v1/processes/versions/{version_id}/stages": READ,
    "GET /api/v1/processes/applications/{application_id}": READ,
    "POST /api/v1/processes/applications/{application_id}/stages/{stage_id}/result": SCORE,
    "POST /api/v1/processes/applications/{application_id}/move": DECIDE,
    # issue 21 coverage: AI interviews, live rooms, scorecards and decisions (the pages' rules)
    "POST /api/v1/interviews/applications/{application_id}/sessions": MANAGE,
    "GET /api/v1/interviews/sessions/{session_id}": READ, "GET /api/v1/interviews/sessions/{session_id}/report": READ,
    "POST /api/v1/interviews/sessions/{session_id}/resend": MANAGE, "POST /api/v1/interviews/sessions/{session_id}/revoke": MANAGE,
    "GET /api/v1/interviews/answers/{answer_id}/recording": READ,
    "GET /api/v1/live/rooms/{room_id}": READ, "GET /api/v1/live/rooms/{room_id}/review": READ,
    "GET /api/v1/live/rooms/{room_id}/recording": READ,
    "GET /api/v1/evaluations/applications/{application_id}/scorecards": READ,
    "GET /api/v1/evaluations/scorecards/{scorecard_id}": BLIND,
    "POST /api/v1/evaluations/applications/{application_id}/stages/{stage_id}/scorecard": SCORE,
    "GET /api/v1/evaluations/decisions/{decision_id}": READ,
    "POST /api/v1/evaluations/applications/{application_id}/decisions": DECIDE,
    # issue 21 coverage: positions, processes, applications, scheduling, candidate documents
    "GET /api/v1/positions/{position_id}": READ, "PATCH /api/v1/positions/{position_id}": MANAGE,
    "POST /api/v1/positions/{position_id}/close": MANAGE, "POST /api/v1/positions/{position_id}/reopen": MANAGE,
    "GET /api/v1/processes/{process_id}": READ, "POST /api/v1/processes/{process_id}/clone": MANAGE,
    "POST /api/v1/processes/{process_id}/publish": MANAGE, "POST /api/v1/processes/{process_id}/activate": MANAGE,
    "GET /api/v1/applications/{application_id}": READ,
    **{f"POST /api/v1/applications/{{application_id}}/{move}": DECIDE
       for move in ("start", "advance", "hold", "resume", "withdraw", "move-to", "reject", "hire")},
    "POST /api/v1/scheduling/interviews/{interview_id}/reschedule": MANAGE,
    "POST /api/v1/scheduling/interviews/{interview_id}/cancel": MANAGE,
    "POST /api/v1/scheduling/slots/{slot_id}/cancel": MANAGE,
    "POST /api/v1/candidates/{candidate_id}/documents/{document_id}/review": EDIT_RECORD,
    # issue 21 coverage: feedback cases, messages, help desk, privacy requests (the pages' rules: HR, the panel 404)
    "GET /api/v1/feedback/cases/{case_id}": HR_ONLY, "GET /api/v1/messaging/messages/{message_id}": HR_ONLY,
    "GET /api/v1/messaging/tickets/{ticket_id}": HR_ONLY,
    **{f"POST /api/v1/messaging/tickets/{{ticket_id}}/{action}": HR_ONLY for action in ("reply", "resend", "close")},
    "GET /api/v1/privacy/requests/{privacy_request_id}": HR_ONLY,
    **{f"POST /api/v1/privacy/requests/{{privacy_request_id}}/{action}": HR_ONLY
       for action in ("start", "export", "complete", "refuse")},
}

# Parameters that are not a row id of the object the URL is about, per URL name.
PARAM_OVERRIDES.update({
    ("workflows:stage_edit", "stage_id"): "draft_stage_id", ("workflows:stage_card", "stage_id"): "draft_stage_id",
    ("workflows:stage_delete", "stage_id"): "draft_stage_id",
    ("workflows:stage_add", "process_id"): "draft_process_id", ("workflows:stages_reorder", "process_id"): "draft_process_id",
    ("workflows:designer", "process_id"): "draft_process_id",
})

# The form a POST needs to get past its own validation, so that only the access rule can refuse it.
POST_DATA = {
    "candidates:merge": lambda ids: {"duplicate": ids["spare_candidate_id"]},
    "positions:assign": lambda ids: {"user": ids["user_id"], "role": "interviewer"},
    "workflows:application_move": lambda ids: {"action": "hold", "reason": "等待"},
    "workflows:application_move_to": lambda ids: {"stage_key": ids["stage_key"], "reason": "拖动"},
    "scheduling:booking_link": lambda ids: {"application": ids["application_id"]},
    "scheduling:interview_new": lambda ids: {"application": ids["application_id"]},
}
API_BODIES = {
    "PATCH /api/v1/webhooks/endpoints/{endpoint_id}": lambda ids: {"description": "HRIS"},
    "PATCH /api/v1/candidates/{candidate_id}": lambda ids: {"address": "上海"},
    "POST /api/v1/candidates/{candidate_id}/applications": lambda ids: {"position_id": ids["position_id"]},
    "PATCH /api/v1/candidates/{candidate_id}/applications/{application_id}": lambda ids: {"stage": "复试"},
    "POST /api/v1/processes/applications/{application_id}/stages/{stage_id}/result": lambda ids: {"score": "80"},
    "POST /api/v1/processes/applications/{application_id}/move": lambda ids: {"action": "hold", "reason": "等待"},
    "POST /api/v1/interviews/applications/{application_id}/sessions": lambda ids: {"questions": [{"text": "请介绍你自己。"}]},
    "POST /api/v1/evaluations/applications/{application_id}/stages/{stage_id}/scorecard": lambda ids: {"draft": True},
    "POST /api/v1/evaluations/applications/{application_id}/decisions": lambda ids: {"outcome": "hold", "rationale": "等待"},
    "POST /api/v1/messaging/tickets/{ticket_id}/reply": lambda ids: {"body": "请换用 Chrome 再试。"},
    "POST /api/v1/privacy/requests/{privacy_request_id}/refuse": lambda ids: {"reason": "法律要求保留该记录"},
    "POST /api/v1/privacy/requests/{privacy_request_id}/complete": lambda ids: {"note": ""},
    **{f"POST /api/v1/applications/{{application_id}}/{move}": lambda ids: {"reason": "技术面试表现稳定，团队一致认可"}
       for move in ("start", "advance", "hold", "resume", "withdraw", "reject", "hire")},
    "POST /api/v1/applications/{application_id}/move-to": lambda ids: {"stage_key": ids["stage_key"], "reason": "拖动"},
    "POST /api/v1/scheduling/interviews/{interview_id}/reschedule": lambda ids: {"start": "2030-01-07T10:00", "end": "2030-01-07T11:00"},
    "POST /api/v1/scheduling/interviews/{interview_id}/cancel": lambda ids: {"reason": "候选人改期"},
    "POST /api/v1/candidates/{candidate_id}/documents/{document_id}/review": lambda ids: {"status": "approved"},
}


def expected_ok(method: str, status: int) -> bool:
    return status == 200 if method == "GET" else status < 500 and status not in (403, 404)


def send(client, method: str, url: str, data: dict):
    if method == "PUT":  # an upload piece
        return client.put(url, b"piece", content_type="application/octet-stream")
    return getattr(client, method.lower())(url, data if method == "POST" else None)


def method_of(client, url: str) -> str:
    """The method a URL takes: GET unless it answers 405 (then POST, then PUT). Asked of an id of another
    organization, inside a rolled-back transaction, so finding out changes nothing."""
    with transaction.atomic():
        for method in ("GET", "POST", "PUT"):
            if send(client, method, url, {}).status_code != 405:
                break
        transaction.set_rollback(True)
    return method


def call(client, method: str, url: str, data: dict, *, watch: bool):
    """Send the request inside a transaction that is rolled back; with ``watch``, tell whether it changed a row.
    Returns (status, changed)."""
    with transaction.atomic():
        before = fingerprint() if watch and method != "GET" else None
        response = send(client, method, url, data)
        changed = before is not None and fingerprint() != before
        transaction.set_rollback(True)
    return response.status_code, changed


def call_api(client, method: str, url: str, body: dict | None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with transaction.atomic():
        before = fingerprint() if method != "GET" else None
        if method == "GET":
            response = client.get(url)
        elif url.endswith("/documents"):
            response = client.post(url, {"doc_type": "other", "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", "application/pdf")})
        else:
            response = getattr(client, method.lower())(url, body or {}, content_type="application/json")
        changed = before is not None and fingerprint() != before
        transaction.set_rollback(True)
    return response.status_code, changed


def id_urls():
    for route, name in sorted(set(walk())):
        if PARAM.search(route) and not name.startswith("api"):
            yield name, route


def api_operations(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, operations in sorted(schema["paths"].items()):
        for method in operations:
            if "{" in path:
                yield method.upper(), path


def check(outcomes: dict, key: str, rule: dict, role: str, scope_index: int, scope: str, method: str, status: int,
          changed: bool):
    want = rule[role][scope_index]
    good = expected_ok(method, status) if want == OK else status == want
    if want != OK and changed:
        good = False
    if not good:
        outcomes.setdefault(key, []).append(f"{role}@{scope}: {method} {status}"
                                            f"{' (changed rows)' if changed else ''}, expected {want}")


def test_every_url_and_api_operation_with_an_id_follows_its_access_rule(world, hr_admin, recruiter, interviewer,
                                                                         hiring_manager):
    users = {"hr_admin": hr_admin, "recruiter": recruiter, "interviewer": interviewer, "hiring_manager": hiring_manager}
    clients = {}
    for role, user in users.items():
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(user)
    urls = list(id_urls())
    operations = list(api_operations(clients["hr_admin"]))
    missing = [name for name, _route in urls if name not in RULES] + [f"{m} {p}" for m, p in operations
                                                                        if f"{m} {p}" not in RULES]
    assert not missing, f"URLs / API operations with a parameter but no access rule in RULES: {missing}"
    assert len(urls) >= 100 and len(operations) >= 15  # the walk found the URL conf and the schema

    def scopes_for(params):
        shared = [(1, "shared")] if {PARAM_OVERRIDES.get(p, p[1]) for p in params} & APPLICATION_PARAMS else []
        return list(enumerate(SCOPES)) + shared

    wrong: dict[str, list[str]] = {}
    for name, route in urls:
        method = method_of(clients["hr_admin"], fill(name, route, world["foreign"]))
        for index, scope in scopes_for({(name, p) for _c, p in PARAM.findall(route)}):
            ids = world[scope]
            url = fill(name, route, ids)
            data = POST_DATA.get(name, lambda ids: {})(ids)
            for role in ROLES:
                status, changed = call(clients[role], method, url, data, watch=RULES[name][role][index] != OK)
                check(wrong, name, RULES[name], role, index, scope, method, status, changed)
    for method, path in operations:
        key = f"{method} {path}"
        for index, scope in scopes_for({(key, p) for p in re.findall(r"\{(\w+)\}", path)}):
            ids = world[scope]
            url = re.sub(r"\{(\w+)\}", lambda m, ids=ids: str(ids[m.group(1)]), path)
            body = API_BODIES.get(key, lambda ids: None)(ids)
            for role in ROLES:
                status, changed = call_api(clients[role], method, url, body)
                check(wrong, key, RULES[key], role, index, scope, method, status, changed)
    assert not wrong, "\n".join(f"{key}: " + "; ".join(rows) for key, rows in wrong.items())
