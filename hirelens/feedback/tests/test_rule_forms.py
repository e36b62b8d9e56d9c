"""The rules page's typed input (issue 23 §4): a malformed or out-of-range number is a localized field error on the
re-rendered page (400) and writes nothing; the services take typed values."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hirelens.core.models import AuditEvent
from hirelens.feedback import services
from hirelens.feedback.models import FeedbackRule, SurveyRule
from hirelens.workflows.tests.factories import make_position

pytestmark = pytest.mark.django_db

FEEDBACK = {"deadline_hours": "24", "update_before_hours": "2", "share_scores": "on", "send_survey": "on",
            "next_steps_advance": "等待通知", "next_steps_hold": "", "next_steps_reject": ""}
SURVEY = {"action": "survey_rule", "metric": "detractors", "threshold_pct": "40", "min_responses": "5", "per_position": "on",
          "suggestion": "检查面试安排"}


def _field_error(body: str, message: str) -> bool:
    """The message shown as the form's error list (at its field, or at the top of the form)."""
    return re.search(rf'<ul class="errorlist[^"]*"[^>]*><li>{re.escape(message)}</li></ul>', body) is not None


@pytest.fixture
def page(client, hr_admin):
    client.force_login(hr_admin)
    return client


@pytest.mark.parametrize(("changes", "message"), [
    ({"deadline_hours": "abc"}, "请填写整数。"),
    ({"deadline_hours": "1.5"}, "请填写整数。"),
    ({"deadline_hours": "9999999999999999999999"}, "反馈时限须在 1 小时到 14 天之间，且提前发送时间小于时限。"),
    ({"deadline_hours": "0"}, "反馈时限须在 1 小时到 14 天之间，且提前发送时间小于时限。"),
    ({"update_before_hours": "-1"}, "反馈时限须在 1 小时到 14 天之间，且提前发送时间小于时限。"),
    ({"update_before_hours": "24"}, "反馈时限须在 1 小时到 14 天之间，且提前发送时间小于时限。"),
    ({"position": "x"}, "请填写整数。"),
])
def test_a_bad_feedback_rule_number_is_a_field_error_and_writes_nothing(page, changes, message):
    page.get(reverse("feedback:rules"))  # the seeded rules
    before, audited = SurveyRule.objects.count(), AuditEvent.objects.count()
    response = page.post(reverse("feedback:rules"), {**FEEDBACK, **changes})
    assert response.status_code == 400
    body = " ".join(response.content.decode().split())  # a tag's attributes may be written over several lines
    assert _field_error(body, message)
    assert not FeedbackRule.objects.exists() and SurveyRule.objects.count() == before and AuditEvent.objects.count() == audited
    # what was typed stays in the box, the other form keeps its defaults
    field, value = next(iter(changes.items()))
    if field != "position":
        assert f'name="{field}" type="number" min=' in body and f'value="{value}"' in body
    assert 'id="threshold_pct" name="threshold_pct" type="number" min="1" max="100" value="40"' in body


def test_a_bad_feedback_rule_number_is_answered_in_english(page):
    response = page.post(reverse("feedback:rules"), {**FEEDBACK, "deadline_hours": "abc"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "Please enter a whole number." in response.content.decode()
    assert not FeedbackRule.objects.exists()


@pytest.mark.parametrize(("changes", "message"), [
    ({"threshold_pct": "forty"}, "请填写整数。"),
    ({"threshold_pct": "0"}, "阈值须在 1% 到 100% 之间。"),
    ({"threshold_pct": "101"}, "阈值须在 1% 到 100% 之间。"),
    ({"min_responses": "5.5"}, "请填写整数。"),
    ({"min_responses": "0"}, "最少答卷数须在 1 到 10000 之间。"),
    ({"min_responses": "100000"}, "最少答卷数须在 1 到 10000 之间。"),
    ({"metric": "moon"}, "请选择指标。"),
    ({"suggestion": ""}, "请填写建议。"),
])
def test_a_bad_survey_rule_value_is_a_field_error_and_writes_nothing(page, changes, message):
    page.get(reverse("feedback:rules"))  # the seeded rules
    before, audited = SurveyRule.objects.count(), AuditEvent.objects.count()
    response = page.post(reverse("feedback:rules"), {**SURVEY, **changes})
    assert response.status_code == 400
    assert _field_error(response.content.decode(), message)
    assert SurveyRule.objects.count() == before and AuditEvent.objects.count() == audited


def test_good_rules_are_saved_typed_and_saving_again_changes_only_what_differs(page, org, hr_admin):
    position = make_position(org, title="销售代表")
    response = page.post(reverse("feedback:rules"), {**FEEDBACK, "position": str(position.pk), "deadline_hours": "48",
                                                     "update_before_hours": "6", "send_survey": ""})
    assert response.status_code == 302
    rule = FeedbackRule.objects.get()
    assert (rule.position_id, rule.deadline_hours, rule.update_before_hours, rule.share_scores, rule.send_survey,
            rule.next_steps_advance) == (position.pk, 48, 6, True, False, "等待通知")
    updated_at = rule.updated_at
    assert page.post(reverse("feedback:rules"), {**FEEDBACK, "position": str(position.pk), "deadline_hours": "48",
                                                 "update_before_hours": "6", "send_survey": ""}).status_code == 302
    rule.refresh_from_db()
    assert rule.updated_at == updated_at and FeedbackRule.objects.count() == 1  # nothing differed: nothing written
    assert page.post(reverse("feedback:rules"), {**FEEDBACK, "position": str(position.pk), "deadline_hours": "72",
                                                 "update_before_hours": "6"}).status_code == 302
    rule.refresh_from_db()
    assert (rule.deadline_hours, rule.send_survey, FeedbackRule.objects.count()) == (72, True, 1)
    assert page.post(reverse("feedback:rules"), SURVEY).status_code == 302
    added = SurveyRule.objects.get(suggestion="检查面试安排")
    assert (added.metric, added.threshold_pct, added.min_responses, added.per_position) == ("detractors", 40, 5, True)
    blank_minimum = page.post(reverse("feedback:rules"), {**SURVEY, "min_responses": "", "per_position": "", "suggestion": "再看看"})
    assert blank_minimum.status_code == 302
    assert SurveyRule.objects.filter(suggestion="再看看", min_responses=5, per_position=False).exists()


def test_the_services_take_typed_values_and_still_check_the_ranges(hr_admin):
    rule = services.feedback_rule_save(actor=hr_admin, deadline_hours=36, update_before_hours=4, share_scores=False)
    assert (rule.deadline_hours, rule.update_before_hours, rule.share_scores) == (36, 4, False)
    with pytest.raises(ValidationError):
        services.feedback_rule_save(actor=hr_admin, deadline_hours=4, update_before_hours=4)
    survey_rule = services.survey_rule_save(actor=hr_admin, metric="unstable", threshold_pct=25, min_responses=8,
                                            per_position=False, suggestion="查网络")
    assert (survey_rule.threshold_pct, survey_rule.min_responses, survey_rule.per_position) == (25, 8, False)
    with pytest.raises(ValidationError):
        services.survey_rule_save(actor=hr_admin, metric="unstable", threshold_pct=25, min_responses=0, suggestion="x")


def test_a_bad_survey_rule_value_is_answered_in_english(page):
    response = page.post(reverse("feedback:rules"), {**SURVEY, "threshold_pct": "250"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and _field_error(response.content.decode(), "The threshold must be between 1% and 100%.")


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"nps": "ten"}, "nps", "推荐意愿请选 0 到 10 分。"),
    ({"nps": "11"}, "nps", "推荐意愿请选 0 到 10 分。"),
    ({"professionalism": "4.5"}, "professionalism", "面试官专业程度请选 1 到 5 分。"),
    ({"professionalism": ""}, "professionalism", "面试官专业程度请选 1 到 5 分。"),
    ({"process_length": "forever"}, "process_length", "请选择流程时长的感受。"),
])
def test_a_malformed_survey_answer_is_shown_at_its_question_and_writes_nothing(client, org, changes, field, message):
    from django.utils import timezone

    from hirelens.feedback.models import Survey, SurveyResponse
    from hirelens.workflows.tests.factories import make_application

    application = make_application(make_position(org, title="销售代表"), "赵磊")
    _survey, token = services.survey_send(application=application, stage_key="", now=timezone.now())
    url = reverse("feedback:survey", args=[token])
    answers = {"process_length": "just_right", "stability": "stable", "professionalism": "4", "nps": "9", "comment": "还行"}
    response = client.post(url, {**answers, **changes})
    body = response.content.decode()
    assert response.status_code == 400 and f'<p class="field-error" id="error-{field}">{message}</p>' in body
    assert not SurveyResponse.objects.exists() and Survey.objects.get().answered is False
    english = client.post(url, {**answers, "nps": "ten"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400 and "Rate your likelihood to recommend from 0 to 10." in english.content.decode()
    assert client.post(url, answers).status_code == 200  # the good answer is taken once, typed
    assert SurveyResponse.objects.values_list("professionalism", "nps", "comment").get() == (4, 9, "还行")
