"""Scorecards and decisions over the open API with a real API key: submit (stage permissions, the scale, the lock,
idempotency), the blind rule on reading others' cards, the decision rules of the page (one road to rejected), lists with
cursors, filters and a bounded cost, audit and errors in the caller's language."""

from __future__ import annotations

import pytest

from hirelens.candidates.models import Application
from hirelens.core.models import AuditEvent
from hirelens.evaluations import services
from hirelens.evaluations.models import Decision, Scorecard
from hirelens.integrations.testing import api_client, make_api_key
from hirelens.workflows.tests.factories import make_application

from .factories import DIMS, ratings

pytestmark = pytest.mark.django_db

API = "/api/v1/evaluations"


def _client(user, scopes=None, language="zh-hans"):
    _key, token = make_api_key(user, scopes)
    return api_client(token, language)


def _body(*scores, reason="举了具体的项目例子", **extra):
    return {"ratings": [{"dimension": d, "score": s, "reason": f"{d}：{reason}"} for d, s in zip(DIMS, scores, strict=True)],
            "recommendation": "yes", "summary": "整体不错", **extra}


def _submit_url(ev, stage="live"):
    return f"{API}/applications/{ev['application'].pk}/stages/{ev[stage].pk}/scorecard"


# --- scorecards -----------------------------------------------------------------------------------------------------


def test_submit_is_idempotent_locks_the_card_and_checks_the_scale(ev, interviewer):
    client = _client(interviewer)
    url = _submit_url(ev)
    response = client.post(url, _body(8, 7, 9, 6), content_type="application/json", HTTP_IDEMPOTENCY_KEY="card-1")
    assert response.status_code == 201, response.content
    card = Scorecard.objects.get(application=ev["application"], interviewer=interviewer)
    body = response.json()
    assert body["id"] == card.pk and response["Location"] == f"{API}/scorecards/{card.pk}"
    assert body["status"] == "submitted" and body["status_label"] == "已提交" and body["recommendation_label"] == "推荐"
    assert body["candidate_name"] == "候选人甲" and body["interviewer"]["name"] == interviewer.full_name
    assert [(r["dimension"], r["score"]) for r in body["ratings"]] == list(zip(DIMS, [8, 7, 9, 6], strict=True))
    assert body["stage_title"] == ev["live"].title and (body["scale_min"], body["scale_max"]) == (1, 10)
    retry = client.post(url, _body(8, 7, 9, 6), content_type="application/json", HTTP_IDEMPOTENCY_KEY="card-1")
    assert retry.status_code == 201 and retry.json() == body
    again = client.post(url, _body(8, 7, 9, 6), content_type="application/json")
    assert again.status_code == 422 and again.json()["detail"] == "评分卡已经提交过了，不能重复提交。"
    assert AuditEvent.objects.filter(action="create", object_type="evaluations.scorecard", object_id=str(card.pk)).count() == 1


def test_submit_refuses_incomplete_cards_and_keeps_drafts(ev, interviewer):
    client = _client(interviewer)
    url = _submit_url(ev)
    out_of_scale = client.post(url, _body(11, 7, 9, 6), content_type="application/json")
    assert out_of_scale.status_code == 422 and out_of_scale.json()["fields"]["沟通能力"] == ["“沟通能力”的分数必须在 1 到 10 之间。"]
    no_reason = client.post(url, {"ratings": [{"dimension": d, "score": 5} for d in DIMS]}, content_type="application/json")
    assert no_reason.status_code == 422 and "请填写“沟通能力”的评分理由。" in no_reason.json()["detail"]
    typed = _client(interviewer, language="en").post(url, {"ratings": [{"dimension": "沟通能力", "score": "很好"}]},
                                                      content_type="application/json")
    assert typed.status_code == 400 and typed.json()["title"] == "The request's parameters are not valid."
    assert not Scorecard.objects.exists()
    draft = client.post(url, {"ratings": [{"dimension": "沟通能力", "score": 6}], "draft": True}, content_type="application/json")
    assert draft.status_code == 200 and draft.json()["status"] == "draft" and draft.json()["ratings"][0]["score"] == 6
    assert Scorecard.objects.get().status == Scorecard.Status.DRAFT


def test_submit_follows_stage_permissions_roles_tenants_and_scopes(ev, interviewer, recruiter, hiring_manager, outsider):
    body = _body(8, 7, 9, 6)
    hidden = _client(interviewer).post(_submit_url(ev, "coding"), body, content_type="application/json")
    assert hidden.status_code == 404  # the coding stage is the hiring managers' (W2): hidden like a missing one
    assert _client(hiring_manager).post(_submit_url(ev, "coding"), body, content_type="application/json").status_code == 201
    refused = _client(recruiter).post(_submit_url(ev), body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["title"] == "没有权限。"
    assert _client(outsider).post(_submit_url(ev), body, content_type="application/json").status_code == 404
    scoped = _client(interviewer, ["evaluations:read"]).post(_submit_url(ev), body, content_type="application/json")
    assert scoped.status_code == 403 and scoped.json()["required_scope"] == "evaluations:write"
    assert list(Scorecard.objects.values_list("interviewer_id", flat=True)) == [hiring_manager.pk]


def test_list_applies_the_blind_rule_pages_filters_and_audits(ev, interviewer, hr_admin, django_assert_max_num_queries):
    application, second = ev["application"], ev["second"]
    services.scorecard_submit(actor=second, application=application, stage=ev["live"], ratings=ratings(6, 6, 6, 6))
    services.scorecard_save_draft(actor=interviewer, application=application, stage=ev["live"], ratings={})
    url = f"{API}/applications/{application.pk}/scorecards"
    # blind until submitted: with a draft, the interviewer sees only that draft, not the colleague's card
    assert [r["status"] for r in _client(interviewer).get(url).json()["items"]] == ["draft"]
    card = Scorecard.objects.get(interviewer=second)
    assert _client(interviewer).get(f"{API}/scorecards/{card.pk}").status_code == 404
    services.scorecard_submit(actor=interviewer, application=application, stage=ev["live"], ratings=ratings(8, 8, 8, 8))
    rows = _client(interviewer).get(url).json()["items"]
    assert sorted(r["interviewer"]["name"] for r in rows) == sorted([interviewer.full_name, second.full_name])
    one = _client(interviewer).get(f"{API}/scorecards/{card.pk}")
    assert one.status_code == 200 and one["ETag"].startswith('"') and one.json()["ratings"][0]["reason"] == "沟通能力：理由充分，有具体例子"
    # HR (not on the panel) reads the submitted cards; pages of one cost what a page of all does
    client = _client(hr_admin)
    with django_assert_max_num_queries(19):
        first = client.get(url, {"limit": 1})
    seen, page = [], first.json()
    while True:
        seen += [row["id"] for row in page["items"]]
        if not page["next"]:
            break
        page = client.get(url, {"limit": 1, "cursor": page["next"]}).json()
    assert sorted(seen) == sorted(Scorecard.objects.values_list("pk", flat=True)) and len(seen) == 2
    with django_assert_max_num_queries(19):
        assert len(client.get(url).json()["items"]) == 2
    assert client.get(url, {"status": "draft"}).json()["items"] == []
    assert [r["id"] for r in client.get(url, {"interviewer": second.pk}).json()["items"]] == [card.pk]
    assert client.get(url, {"stage": ev["coding"].pk}).json()["items"] == []
    assert client.get(url, {"status": "lost"}).status_code == 400
    entry = AuditEvent.objects.filter(action="read", actor_id=hr_admin.pk).latest("pk")
    assert (entry.object_type, entry.object_id) == ("candidates.candidate", str(application.candidate_id))


def test_scorecards_of_another_tenant_are_not_found(ev, outsider, interviewer):
    services.scorecard_submit(actor=interviewer, application=ev["application"], stage=ev["live"], ratings=ratings(8, 8, 8, 8))
    card = Scorecard.objects.get()
    client = _client(outsider, language="en")
    missing = client.get(f"{API}/applications/{ev['application'].pk}/scorecards")
    assert missing.status_code == 404 and missing["Content-Language"] == "en" and missing.json()["code"] == "not_found"
    assert client.get(f"{API}/scorecards/{card.pk}").status_code == 404


# --- decisions ------------------------------------------------------------------------------------------------------


def test_record_a_decision_through_the_page_rules(ev, hr_admin, interviewer, outsider):
    application = ev["application"]
    url = f"{API}/applications/{application.pk}/decisions"
    # a rejection with no human evaluation: refused, as on the page
    bare = _client(hr_admin).post(url, {"outcome": "reject", "rationale": "数据库设计经验不足，无法胜任"}, content_type="application/json")
    assert bare.status_code == 422 and "without_evaluation" in bare.json()["fields"]
    ai_only = _client(hr_admin).post(url, {"outcome": "reject", "rationale": "AI 分数太低，微笑次数少", "without_evaluation": True,
                                           "without_evaluation_reason": "候选人明确放弃后续面试安排"}, content_type="application/json")
    assert ai_only.status_code == 422 and "AI" in ai_only.json()["fields"]["rationale"][0]
    assert _client(interviewer).post(url, {"outcome": "hold"}, content_type="application/json").status_code == 403
    assert _client(outsider).post(url, {"outcome": "hold"}, content_type="application/json").status_code == 404
    assert _client(hr_admin).post(url, {"outcome": "maybe"}, content_type="application/json").status_code == 400
    assert not Decision.objects.exists()
    services.scorecard_submit(actor=interviewer, application=application, stage=ev["live"], ratings=ratings(3, 3, 3, 3))
    body = {"outcome": "reject", "rationale": "两位面试官都认为数据库设计经验不足", "next_steps": "感谢参与"}
    client = _client(hr_admin)  # an idempotency key is the key holder's
    response = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="decide-1")
    assert response.status_code == 201, response.content
    decision = Decision.objects.get()
    assert response.json()["id"] == decision.pk and response["Location"] == f"{API}/decisions/{decision.pk}"
    assert response.json()["outcome_label"] == "不通过" and response.json()["decided_by"]["name"] == hr_admin.full_name
    assert response.json()["scorecards_considered"] == 1 and response.json()["candidate_name"] == "候选人甲"
    retry = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="decide-1")
    assert retry.json() == response.json() and Decision.objects.count() == 1
    assert Application.objects.get(pk=application.pk).status == Application.Status.REJECTED  # the pipeline moved with it
    reused = client.post(url, {"outcome": "hold"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="decide-1")
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"


def test_decisions_list_get_filters_costs_and_audit(org, ev, hr_admin, interviewer, outsider, hiring_manager,
                                                   django_assert_max_num_queries):
    applications = [ev["application"]] + [make_application(ev["position"], f"候选人{i}") for i in range(3)]
    for application in applications:
        services.decision_record(actor=hr_admin, application=application, outcome="hold", rationale="等待终面安排")
    client = _client(hiring_manager)
    with django_assert_max_num_queries(12):
        first = client.get(f"{API}/decisions", {"limit": 2})
    seen, page = [], first.json()
    while True:
        seen += [row["id"] for row in page["items"]]
        if not page["next"]:
            break
        page = client.get(f"{API}/decisions", {"limit": 2, "cursor": page["next"]}).json()
    decisions = list(Decision.objects.order_by("-created_at", "-pk"))
    assert seen == [d.pk for d in decisions]
    with django_assert_max_num_queries(12):
        assert len(client.get(f"{API}/decisions", {"limit": 100}).json()["items"]) == 4
    row = first.json()["items"][0]
    assert row["candidate_name"] == "候选人2" and row["outcome_label"] == "待定" and row["position_title"] == ev["position"].title
    entry = AuditEvent.objects.filter(action="read", actor_id=hiring_manager.pk).order_by("pk").first()
    assert sorted(entry.targets) == sorted(f"candidates.candidate:{d.application.candidate_id}" for d in decisions[:2])
    only = client.get(f"{API}/decisions", {"application": ev["application"].pk}).json()["items"]
    assert [r["application_id"] for r in only] == [ev["application"].pk]
    assert client.get(f"{API}/decisions", {"outcome": "reject"}).json()["items"] == []
    english = _client(hiring_manager, language="en").get(f"{API}/decisions/{decisions[0].pk}")
    assert english.status_code == 200 and english.json()["outcome_label"] == "Hold" and english["ETag"].startswith('"')
    # the panel of another position and another tenant see none of them
    from hirelens.accounts.tests.factories import UserFactory

    stranger = UserFactory(organization=org, role="interviewer", email="stranger@example.com")
    assert _client(stranger).get(f"{API}/decisions").json()["items"] == []
    assert _client(stranger).get(f"{API}/decisions/{decisions[0].pk}").status_code == 404
    assert _client(outsider).get(f"{API}/decisions/{decisions[0].pk}").status_code == 404
    assert _client(hr_admin, ["interviews:read"]).get(f"{API}/decisions").status_code == 403
