"""One road to every decision (S1): every page and API that rejects or hires goes through ``decision_record``.

Each route is driven through its real interface (a page through Django's test client, the HTTP API as JSON) and
must: refuse a missing or thin reason; refuse a reason that cites only AI signals when no person has evaluated
the candidate; accept with a scorecard; accept "decided without evaluation" with its own reason and flag it;
and leave exactly one decision record and one feedback case, with the pipeline ended and the result sent.
"""

import json

import pytest
from django.urls import reverse

from hirelens.candidates.models import Application
from hirelens.evaluations import services as ev_services
from hirelens.evaluations.models import Decision
from hirelens.evaluations.tests.factories import build, ratings
from hirelens.feedback.models import FeedbackCase
from hirelens.messaging.models import Message
from hirelens.workflows.models import ApplicationProgress

pytestmark = pytest.mark.django_db

GOOD_REASON = "系统设计题未能给出可行方案，专业技能与岗位要求差距较大"
AI_ONLY_REASON = "AI 分数低，微笑次数太少，语速偏快，视线经常偏离镜头"
WITHOUT_REASON = "候选人在电话沟通中明确表示期望薪资远超预算"


@pytest.fixture
def ev(org, hr_admin, interviewer, hiring_manager):
    return build(org, hr_admin, interviewer, hiring_manager)


def _json(client, method, url, data):
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def _flag(data: dict, without: str | None) -> dict:
    if without is not None:
        data.update({"without_evaluation": "1", "without_evaluation_reason": without})
    return data


# Each route: (application, client, reason, without-evaluation reason or None) -> (HTTP status, text shown to the person)
def process_page(app, client, reason, without=None):
    r = client.post(reverse("workflows:application_move", args=[app.pk]),
                    _flag({"action": "reject", "reason": reason}, without), follow=True)
    return r.status_code, r.content.decode()


def process_api(app, client, reason, without=None):
    body = {"action": "reject", "reason": reason}
    if without is not None:
        body.update({"without_evaluation": True, "without_evaluation_reason": without})
    r = _json(client, "post", f"/api/v1/processes/applications/{app.pk}/move", body)
    return r.status_code, json.dumps(r.json(), ensure_ascii=False) if r.status_code != 200 else ""


def candidate_page(app, client, reason, without=None, status="rejected"):
    r = client.post(f"/candidates/{app.candidate_id}/applications/{app.pk}/",
                    _flag({"stage": app.stage, "status": status, "reason": reason}, without), follow=True)
    return r.status_code, r.content.decode()


def candidate_api(app, client, reason, without=None, status="rejected"):
    body = {"status": status, "reason": reason}
    if without is not None:
        body.update({"without_evaluation": True, "without_evaluation_reason": without})
    r = _json(client, "patch", f"/api/v1/candidates/{app.candidate_id}/applications/{app.pk}", body)
    return r.status_code, json.dumps(r.json(), ensure_ascii=False) if r.status_code != 200 else ""


def evaluations_page(app, client, reason, without=None):
    r = client.post(reverse("evaluations:decide", args=[app.pk]),
                    _flag({"outcome": "reject", "rationale": reason}, without), follow=True)
    return r.status_code, r.content.decode()


ROUTES = [process_page, process_api, candidate_page, candidate_api, evaluations_page]
IS_API = {process_api, candidate_api}


def _nothing_decided(app):
    app.refresh_from_db()
    progress = ApplicationProgress.objects.get(application=app)
    assert (Decision.objects.count(), app.status, progress.state) == (0, "active", "active")
    assert not Message.objects.filter(kind="result").exists()


def _rejected_once(app, actor, *, without_evaluation: bool):
    app.refresh_from_db()
    [decision] = Decision.objects.all()
    assert (decision.outcome, decision.decided_by_id, decision.without_evaluation) == ("reject", actor.pk, without_evaluation)
    assert decision.without_evaluation_reason == (WITHOUT_REASON if without_evaluation else "")
    assert app.status == Application.Status.REJECTED
    assert ApplicationProgress.objects.get(application=app).state == ApplicationProgress.State.REJECTED  # pipeline ended
    [case] = FeedbackCase.objects.all()
    assert (case.decision_id, case.status, case.result_sent_at is not None) == (decision.pk, FeedbackCase.Status.SENT, True)
    [message] = Message.objects.filter(kind="result")
    assert "未能通过" in json.loads(message.variables)["result"]
    return decision


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.__name__)
@pytest.mark.parametrize("reason", ["", "x", "不合适。", "。。。！！！……", "aaaaaaaaaaaa"])
def test_refused_without_a_reason_of_substance(route, reason, ev, interviewer, hr_admin, client):
    ev_services.scorecard_submit(actor=interviewer, application=ev["application"], stage=ev["video"], ratings=ratings(4, 3, 4, 4))
    client.force_login(hr_admin)
    status, text = route(ev["application"], client, reason)
    assert status == (422 if route in IS_API else 200)
    assert "须写明具体理由" in text
    app = ev["application"]
    app.refresh_from_db()
    assert (Decision.objects.count(), app.status) == (0, "active")
    assert ApplicationProgress.objects.get(application=app).state == "active"


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.__name__)
def test_ai_only_reason_without_a_human_evaluation_is_refused(route, ev, hr_admin, client):
    client.force_login(hr_admin)
    status, text = route(ev["application"], client, AI_ONLY_REASON)
    assert status == (422 if route in IS_API else 200)
    assert "AI 只是辅助" in text
    # Ticking "without evaluation" does not make an AI-only reason acceptable either.
    status, text = route(ev["application"], client, AI_ONLY_REASON, without=WITHOUT_REASON)
    assert "AI 只是辅助" in text
    _nothing_decided(ev["application"])
    assert not FeedbackCase.objects.exists()


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.__name__)
def test_a_good_reason_without_any_evaluation_must_say_so(route, ev, hr_admin, client):
    client.force_login(hr_admin)
    status, text = route(ev["application"], client, GOOD_REASON)
    assert status == (422 if route in IS_API else 200)
    assert "还没有人工评估" in text
    status, text = route(ev["application"], client, GOOD_REASON, without="太少")  # its own reason is thin
    assert "须写明具体理由" in text
    _nothing_decided(ev["application"])


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.__name__)
def test_accepted_with_a_scorecard_once(route, ev, interviewer, hr_admin, client):
    ev_services.scorecard_submit(actor=interviewer, application=ev["application"], stage=ev["video"], ratings=ratings(4, 3, 4, 4))
    client.force_login(hr_admin)
    # With a person's scorecard behind it, the reason may also mention what the AI measured.
    status, _text = route(ev["application"], client, GOOD_REASON + "；AI 分析的语速仅作参考")
    assert status == 200
    decision = _rejected_once(ev["application"], hr_admin, without_evaluation=False)
    assert decision.scorecards_considered == 1


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.__name__)
def test_accepted_without_evaluation_is_flagged(route, ev, hr_admin, client):
    client.force_login(hr_admin)
    status, _text = route(ev["application"], client, GOOD_REASON, without=WITHOUT_REASON)
    assert status == 200
    decision = _rejected_once(ev["application"], hr_admin, without_evaluation=True)
    assert decision.scorecards_considered == 0
    page = client.get(reverse("evaluations:application", args=[ev["application"].pk])).content.decode()
    assert 'data-testid="without-evaluation"' in page and WITHOUT_REASON in page
    client.cookies["django_language"] = "en"
    page = client.get(reverse("evaluations:application", args=[ev["application"].pk])).content.decode()
    assert "Decided without evaluation" in page and f"Why without evaluation: {WITHOUT_REASON}" in page


def test_the_pdf_report_flags_a_decision_without_evaluation(ev, hr_admin, client):
    from io import BytesIO

    from pypdf import PdfReader

    client.force_login(hr_admin)
    assert evaluations_page(ev["application"], client, GOOD_REASON, without=WITHOUT_REASON)[0] == 200
    response = client.get(reverse("evaluations:report_pdf", args=[ev["application"].pk]))
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages).replace("\n", "")
    assert "未经评估决定" in text and WITHOUT_REASON in text


def test_a_stage_result_recorded_with_a_note_counts_as_an_evaluation(ev, hr_admin, client):
    from hirelens.workflows import services as wf

    wf.stage_result_record(actor=hr_admin, progress=ev["progress"], stage=ev["video"], score=40,
                           comment="现场答题思路混乱，多次需要提示")
    client.force_login(hr_admin)
    assert process_page(ev["application"], client, GOOD_REASON)[0] == 200
    _rejected_once(ev["application"], hr_admin, without_evaluation=False)


@pytest.mark.parametrize("route", [candidate_page, candidate_api], ids=lambda r: r.__name__)
def test_hiring_from_the_candidate_record_is_a_decision(route, ev, interviewer, hr_admin, client):
    client.force_login(hr_admin)
    status, text = route(ev["application"], client, "", status="hired")
    assert "须写明具体理由" in text
    assert Application.objects.get(pk=ev["application"].pk).status == "active"
    ev_services.scorecard_submit(actor=interviewer, application=ev["application"], stage=ev["video"], ratings=ratings(9, 9, 8, 9))
    status, _text = route(ev["application"], client, "各轮评估均优秀，团队一致同意录用", status="hired")
    assert status == 200
    app = Application.objects.get(pk=ev["application"].pk)
    [decision] = Decision.objects.all()
    assert (app.status, decision.outcome, decision.without_evaluation) == ("hired", "hire", False)
    assert ApplicationProgress.objects.get(application=app).state == ApplicationProgress.State.COMPLETED
    [case] = FeedbackCase.objects.all()
    assert (case.decision_id, case.status) == (decision.pk, FeedbackCase.Status.SENT)
    [message] = Message.objects.filter(kind="result")
    assert "录用" in json.loads(message.variables)["result"]


def test_the_board_cannot_drag_to_an_end(ev, hr_admin, client):
    """The board moves between stages only; dropping on the "ended" column is refused and decides nothing."""
    client.force_login(hr_admin)
    response = client.post(reverse("workflows:application_move_to", args=[ev["application"].pk]),
                           {"stage_key": "ended", "reason": GOOD_REASON})
    assert response.status_code == 400
    _nothing_decided(ev["application"])


def test_refusal_is_explained_in_english(ev, hr_admin, client):
    client.force_login(hr_admin)
    client.cookies["django_language"] = "en"
    status, text = evaluations_page(ev["application"], client, AI_ONLY_REASON)
    assert "The AI is an aid, never the ground for a decision" in text
    status, text = process_api(ev["application"], client, "x")
    assert status == 422 and "needs a specific reason" in text
    _nothing_decided(ev["application"])


def test_analytics_lists_decisions_made_without_evaluation(ev, org, hr_admin, interviewer, hiring_manager, client):
    other = build(org, hr_admin, interviewer, hiring_manager, title="前端工程师", name="候选人乙")
    ev_services.scorecard_submit(actor=interviewer, application=other["application"], stage=other["video"], ratings=ratings(4, 3, 4, 4))
    client.force_login(hr_admin)
    assert process_page(other["application"], client, GOOD_REASON)[0] == 200  # evaluated: not listed
    assert candidate_page(ev["application"], client, GOOD_REASON, without=WITHOUT_REASON)[0] == 200
    page = client.get(reverse("analytics:index")).content.decode()
    assert "共 2 个录用或未通过决定，其中 1 个未经人工评估。" in page
    assert page.count('data-testid="without-evaluation-row"') == 1
    assert "候选人甲" in page and WITHOUT_REASON in page and "候选人乙" not in page
    client.cookies["django_language"] = "en"
    page = client.get(reverse("analytics:index")).content.decode()
    assert "2 hire or reject decisions, 1 of them without a human evaluation." in page


def test_the_evaluation_page_shows_what_the_candidate_was_told(ev, interviewer, hr_admin, client):
    """Beside each decision, HR sees that the result went to the candidate, when, and the message's delivery log."""
    ev_services.scorecard_submit(actor=interviewer, application=ev["application"], stage=ev["video"], ratings=ratings(4, 3, 4, 4))
    client.force_login(hr_admin)
    evaluations_page(ev["application"], client, GOOD_REASON)
    decision = _rejected_once(ev["application"], hr_admin, without_evaluation=False)
    [message] = Message.objects.filter(kind="result")
    page = client.get(reverse("evaluations:application", args=[ev["application"].pk])).content.decode()
    assert f'data-testid="decision-feedback-{decision.pk}"' in page and "发送给候选人" in page
    assert reverse("messaging:message", args=[message.pk]) in page
    client.cookies["django_language"] = "en"
    page = client.get(reverse("evaluations:application", args=[ev["application"].pk])).content.decode()
    assert "Result sent to the candidate on" in page
