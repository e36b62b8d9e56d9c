"""Typed input at the edge (issue 23 §4): the evaluation pages read their POST through forms; a malformed number is
the page's own localized message (400 where the page is shown again), never a 500, and nothing is written."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from hirelens.evaluations import services
from hirelens.evaluations.models import Decision, FitRule, Scorecard, ScorecardAmendment, ScorecardSettings

from .factories import ratings

pytestmark = pytest.mark.django_db


def _flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_scorecard_page_answers_a_score_that_is_not_a_whole_number_with_its_message(ev, interviewer, client):
    client.force_login(interviewer)
    url = reverse("evaluations:scorecard", args=[ev["application"].pk, ev["video"].pk])
    form = {"action": "submit", "score_0": "八", "reason_0": "表达清楚", "score_1": "7", "reason_1": "扎实",
            "score_2": "6", "reason_2": "一般", "score_3": "9", "reason_3": "学得快"}
    response = client.post(url, form)
    page = response.content.decode()
    assert response.status_code == 400
    assert "“沟通能力”的分数必须是整数。" in page
    assert "表达清楚" in page  # what was typed comes back
    assert not Scorecard.objects.exists()
    response = client.post(url, {**form, "action": "draft"})
    assert response.status_code == 400 and not Scorecard.objects.exists()


def test_scorecard_page_saves_a_draft_with_blank_scores(ev, interviewer, client):
    client.force_login(interviewer)
    url = reverse("evaluations:scorecard", args=[ev["application"].pk, ev["video"].pk])
    response = client.post(url, {"action": "draft", "score_0": "8", "reason_0": "", "score_1": ""})
    assert response.status_code == 302
    card = Scorecard.objects.get()
    assert card.status == Scorecard.Status.DRAFT
    assert [(r.dimension, r.score) for r in card.ratings.all()] == [("沟通能力", 8)]


def test_amend_with_a_malformed_score_is_flashed_and_changes_nothing(ev, interviewer, client):
    card = services.scorecard_submit(actor=interviewer, application=ev["application"], stage=ev["video"], ratings=ratings(8, 7, 6, 9))
    client.force_login(interviewer)
    url = reverse("evaluations:amend", args=[card.pk])
    response = client.post(url, {"dimension": "沟通能力", "score": "9.5", "reason": "再看录像", "why": "复核"})
    assert response.status_code == 302
    assert _flashed(response) == ["“沟通能力”的分数必须是整数。"]
    assert card.ratings.get(dimension="沟通能力").score == 8 and not ScorecardAmendment.objects.exists()
    response = client.post(url, {"dimension": "沟通能力", "score": "9", "reason": "再看录像", "why": "复核"})
    assert _flashed(response)[-1] == "修订已记录。"
    assert card.ratings.get(dimension="沟通能力").score == 9


def test_decision_with_an_unknown_outcome_is_flashed_and_not_recorded(ev, hiring_manager, client):
    client.force_login(hiring_manager)
    url = reverse("evaluations:decide", args=[ev["application"].pk])
    response = client.post(url, {"outcome": "fire", "rationale": "理由写得很具体很充分"})
    assert response.status_code == 302 and _flashed(response) == ["请选择决定。"]
    assert not Decision.objects.exists()
    response = client.post(url, {"outcome": "hold", "rationale": "等下一轮"})
    assert _flashed(response)[-1] == "决定已记录，结果反馈已安排发送。"
    assert Decision.objects.get().outcome == "hold"


def test_decision_page_reads_the_without_evaluation_box(ev, hiring_manager, client):
    client.force_login(hiring_manager)
    url = reverse("evaluations:decide", args=[ev["application"].pk])
    reason = "候选人已书面撤回申请并确认不再参加"
    response = client.post(url, {"outcome": "reject", "rationale": reason, "without_evaluation": "1",
                                 "without_evaluation_reason": "候选人主动放弃，无法安排任何面试环节"})
    assert _flashed(response) == ["决定已记录，结果反馈已安排发送。"]
    decision = Decision.objects.get()
    assert decision.without_evaluation is True and decision.rationale == reason


@pytest.mark.parametrize("posted", [{"scale_min": "一", "scale_max": "5"}, {"scale_min": "1", "scale_max": "5.5"}])
def test_settings_page_answers_a_malformed_scale_with_400_and_keeps_the_scale(ev, hr_admin, client, posted):
    client.force_login(hr_admin)
    response = client.post(reverse("evaluations:position_settings", args=[ev["position"].pk]), {**posted, "shareable": ["沟通能力"]})
    assert response.status_code == 400
    assert "评分范围无效。" in response.content.decode() and "invalid literal" not in response.content.decode()
    row = ScorecardSettings.objects.get(position=ev["position"])
    assert (row.scale_min, row.scale_max, row.shareable_dimensions) == (1, 10, [])


def test_settings_page_blank_scale_is_one_to_ten(ev, hr_admin, client):
    client.force_login(hr_admin)
    response = client.post(reverse("evaluations:position_settings", args=[ev["position"].pk]), {"shareable": ["沟通能力", "不存在"]})
    assert response.status_code == 302
    row = ScorecardSettings.objects.get(position=ev["position"])
    assert (row.scale_min, row.scale_max, row.shareable_dimensions) == (1, 10, ["沟通能力"])


def test_fit_rule_with_a_condition_that_is_not_a_number_is_400_and_not_saved(ev, hr_admin, client):
    client.force_login(hr_admin)
    url = reverse("evaluations:position_settings", args=[ev["position"].pk])
    response = client.post(url, {"action": "fit", "label": "销售", "conditions": "沟通能力=高\n团队协作=7"})
    assert response.status_code == 400 and "条件的分数必须是数字。" in response.content.decode()
    assert not FitRule.objects.exists()
    response = client.post(url, {"action": "fit", "label": "销售", "conditions": "没有等号的行\n沟通能力 = 8.5"})
    assert response.status_code == 302 and FitRule.objects.get().conditions == {"沟通能力": 8.5}


def test_services_take_whole_numbers(ev, hr_admin, interviewer):
    with pytest.raises(TypeError):
        services.scorecard_settings_update(actor=hr_admin, position=ev["position"], scale_min="1", scale_max="5",
                                           shareable_dimensions=[])
    with pytest.raises(ValidationError) as err:
        services.scorecard_submit(actor=interviewer, application=ev["application"], stage=ev["video"],
                                  ratings={**ratings(8, 7, 6, 9), "沟通能力": {"score": "8", "reason": "文字的分数"}})
    assert err.value.message_dict == {"沟通能力": ["“沟通能力”的分数必须是整数。"]}
    assert not Scorecard.objects.filter(status=Scorecard.Status.SUBMITTED).exists()
