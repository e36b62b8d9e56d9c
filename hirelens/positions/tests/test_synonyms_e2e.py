"""Issue 17 in Chromium on a phone-sized screen: HR adds keyword synonyms with the keyboard alone."""

import pytest

from hirelens.accounts.tests.factories import PASSWORD
from hirelens.positions.models import Position
from hirelens.positions.tests.factories import PositionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_hr_adds_synonyms_with_the_keyboard_on_a_phone(asgi_server, page, hr_admin):
    position = PositionFactory(organization=hr_admin.organization, keywords=["团队协作", "客户"])
    page.goto(f"{asgi_server.base_url}/accounts/login/")
    page.fill("#id_username", hr_admin.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn")
    page.wait_for_selector("[data-testid=dashboard-title]")
    page.goto(f"{asgi_server.base_url}/positions/{position.pk}/edit/")

    page.focus("#id_keywords")
    page.keyboard.press("Tab")  # the synonyms box comes next in the tab order, its format read out with it
    assert page.evaluate("document.activeElement.id") == "id_keyword_synonyms"
    described = page.evaluate("document.getElementById(document.activeElement.getAttribute('aria-describedby')).textContent")
    assert "客户: 顾客, 用户" in described
    page.keyboard.type("客户：顾客、用户")
    page.keyboard.press("Enter")  # a new line in the box, not a submit
    page.keyboard.type("团队协作: 团队合作")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # fits the phone
    page.focus("[data-testid=position-save]")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=position-keywords]")
    assert "客户（同义词：顾客 / 用户）" in page.inner_text("[data-testid=position-keywords]")
    assert Position.objects.get(pk=position.pk).keyword_synonyms == {"客户": ["顾客", "用户"], "团队协作": ["团队合作"]}
