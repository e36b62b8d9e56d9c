"""The demo loads twice without duplicating anything, and shows what the issue asks for."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_complete():
    from hirelens.accounts.models import User
    from hirelens.analytics.selectors import Filters, calibration, dimension_scores
    from hirelens.evaluations.models import Decision, Scorecard, ScorecardRating
    from hirelens.feedback.models import FeedbackCase, SurveyResponse
    from hirelens.feedback.selectors import feedback_promise, survey_suggestions

    call_command("load_demo", verbosity=0)
    counts = [m.objects.count() for m in (Scorecard, ScorecardRating, Decision, FeedbackCase, SurveyResponse)]
    call_command("load_demo", verbosity=0)
    assert [m.objects.count() for m in (Scorecard, ScorecardRating, Decision, FeedbackCase, SurveyResponse)] == counts
    admin = User.objects.filter(organization__slug="demo", role="hr_admin").first()
    assert {"advance", "hold", "reject", "hire"} <= set(Decision.objects.values_list("outcome", flat=True))
    # Every hired or rejected application of the demo has its decision (S1), none decided on AI signals alone.
    from hirelens.candidates.models import Application

    final = Application.objects.filter(status__in=["hired", "rejected"])
    assert final.exists() and not final.exclude(decisions__outcome__in=["hire", "reject"]).exists()
    promise, late = feedback_promise(actor=admin)
    assert promise.kept > 0 and late
    assert any(s.rule.metric == "too_long" for s in survey_suggestions(actor=admin))
    filters = Filters.from_query({})
    assert dimension_scores(actor=admin, filters=filters) and calibration(actor=admin, filters=filters)["items"] > 0
