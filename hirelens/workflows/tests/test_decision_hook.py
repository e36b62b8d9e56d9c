"""A final status is a decision on every road below evaluations (S1): the board's 未通过 (page and API) and the
application's status field reach ``evaluations.services.decision_record`` through the hook candidates declares
(``candidates/decisions.py``) and evaluations fills in its ``AppConfig.ready``."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from hirelens.candidates import decisions
from hirelens.candidates.services.records import application_update
from hirelens.evaluations.models import Decision
from hirelens.evaluations.services import decision_record
from hirelens.feedback.models import FeedbackCase
from hirelens.workflows import services
from hirelens.workflows.models import ApplicationProgress

from .factories import make_application, published_process

pytestmark = pytest.mark.django_db
REASON = "技术面试表现不稳定，核心算法题没有完成，团队一致不推荐"
WITHOUT = "内部转岗，已在原团队长期考察"


@pytest.fixture
def started(hr_admin, position):
    published_process(hr_admin, position)
    application = make_application(position, "王芳")
    progress = services.pipeline_start(actor=hr_admin, application=application)
    return application, progress


def test_evaluations_registers_decision_record_as_the_recorder():
    assert decisions._recorder is decision_record


def test_the_boards_reject_records_a_decision(client, hr_admin, started):
    application, progress = started
    client.force_login(hr_admin)
    url = f"/processes/applications/{application.pk}/move/"
    client.post(url, {"action": "reject", "reason": "不行"})  # no reason of substance: refused, nothing written
    assert not Decision.objects.exists()
    progress.refresh_from_db()
    assert progress.state == ApplicationProgress.State.ACTIVE
    response = client.post(url, {"action": "reject", "reason": REASON, "without_evaluation": "on",
                                 "without_evaluation_reason": WITHOUT})
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.application_id, decision.outcome, decision.decided_by_id, decision.rationale,
            decision.without_evaluation, decision.without_evaluation_reason) == (
        application.pk, "reject", hr_admin.pk, REASON, True, WITHOUT)
    progress.refresh_from_db()
    application.refresh_from_db()
    assert (progress.state, application.status) == ("rejected", "rejected")
    assert FeedbackCase.objects.filter(decision=decision).count() == 1  # the decision.recorded event reached feedback


def test_the_boards_reject_over_the_api_records_a_decision(client, hr_admin, started):
    application, _progress = started
    client.force_login(hr_admin)
    response = client.post(f"/api/v1/processes/applications/{application.pk}/move",
                           json.dumps({"action": "reject", "reason": REASON, "without_evaluation": True,
                                       "without_evaluation_reason": WITHOUT}), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["state"] == "rejected"
    assert list(Decision.objects.values_list("application_id", "outcome")) == [(application.pk, "reject")]


def test_a_final_status_on_the_application_records_a_decision(hr_admin, started):
    application, _progress = started
    application_update(actor=hr_admin, application=application, status="hired", reason=REASON.replace("不", ""),
                       without_evaluation=True, without_evaluation_reason=WITHOUT)
    application.refresh_from_db()
    assert application.status == "hired"
    assert list(Decision.objects.values_list("outcome", "decided_by_id")) == [("hire", hr_admin.pk)]


def test_without_a_recorder_a_final_status_is_refused(monkeypatch, hr_admin, started):
    application, _progress = started
    monkeypatch.setattr(decisions, "_recorder", None)  # as if evaluations were not installed
    with pytest.raises(ImproperlyConfigured):
        application_update(actor=hr_admin, application=application, status="rejected", reason=REASON,
                           without_evaluation=True, without_evaluation_reason=WITHOUT)
    application.refresh_from_db()
    assert application.status == "active" and not Decision.objects.exists()
