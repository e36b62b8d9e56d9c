"""In Debian's Chromium: a hiring manager submits a scorecard, sees the synthesised profile with its radar
chart, then the analytics page draws its charts (ECharts) from the new scores."""

import pytest

from conftest import in_thread, staff_login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_submit_scorecard_then_profile_and_charts(asgi_server, browser, org, hr_admin, interviewer, hiring_manager):
    from .factories import build, ratings

    def setup():
        from hirelens.evaluations import services
        from hirelens.evaluations.models import FitRule

        ev = build(org, hr_admin, interviewer, hiring_manager, name="陈晨")
        FitRule.objects.create(organization=org, label="技术岗位", conditions={"专业技能": 8})
        services.scorecard_submit(actor=interviewer, application=ev["application"], stage=ev["video"],
                                  ratings=ratings(7, 9, 7, 8, reason="面试官甲的理由"))
        return ev

    ev = in_thread(setup)
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000}).new_page()
    staff_login(page, asgi_server.base_url, hiring_manager)
    app = ev["application"]
    page.goto(f"{asgi_server.base_url}/evaluations/applications/{app.pk}/")
    # blind: the other interviewer's reasons stay hidden until the manager has submitted
    assert page.get_by_test_id("blind-note").first.is_visible()
    assert "面试官甲的理由" not in page.content()
    page.locator(f"[data-testid=stage-{ev['video'].pk}] [data-testid=score-stage]").click()
    for index, score in enumerate(["9", "9", "6", "8"]):
        page.get_by_test_id(f"score-{index}").select_option(score)
        page.get_by_test_id(f"reason-{index}").fill(f"具体例子 {index}")
    page.get_by_test_id("submit-card").click()
    page.wait_for_url(f"**/evaluations/applications/{app.pk}/")
    statement = page.get_by_test_id("profile-statement").inner_text()
    assert statement == "沟通能力强 (8)，专业技能强 (9)，团队协作中等 (6.5)，学习能力强 (8)：适合技术岗位"
    page.wait_for_selector("[data-testid=profile-chart][data-ready='1'] canvas")
    assert "面试官甲的理由" in page.content()  # now visible
    page.goto(f"{asgi_server.base_url}/analytics/")
    page.wait_for_selector("[data-testid=chart-dims][data-ready='1'] canvas")
    page.wait_for_selector("[data-testid=chart-funnel][data-ready='1'] canvas")
    box = page.locator("[data-testid=chart-dims] canvas").first.bounding_box()
    assert box["width"] > 200 and box["height"] > 200
