"""In Debian's Chromium, at desktop width and on a 390 px phone: a column of 30 shows its first 20 cards, "load more"
(by keyboard) appends the rest and focuses the first new one, and a lazily loaded card dragged onto another stage
moves there, with both columns' counts updated in place."""

import pytest

from conftest import in_thread, wait_for_js
from hirelens.accounts.tests.factories import PASSWORD


def _drag(page, source, target, width):
    """Drag with the mouse (SortableJS's fallback mode), dropping on the part of the target that is on screen."""
    box, goal = source.bounding_box(), target.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 5, y + 5, steps=3)
    drop_x = min(goal["x"] + goal["width"] / 2, width - 20)
    page.mouse.move(drop_x, goal["y"] + 4, steps=20)
    page.wait_for_timeout(150)
    page.mouse.move(drop_x, goal["y"] + 3, steps=2)
    page.mouse.up()

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_load_more_then_move_a_lazily_loaded_card(asgi_server, browser, hr_admin, width):
    from hirelens.candidates.models import Application, Candidate
    from hirelens.workflows.models import ApplicationProgress

    from .factories import make_position, published_process

    def setup():
        position = make_position(hr_admin.organization, title="数据工程师")
        _process, version = published_process(hr_admin, position, "technical")
        video, live = version.stages.get(module="ai_video"), version.stages.get(module="coding")  # the next column
        org = position.organization
        people = Candidate.objects.bulk_create([Candidate(organization=org, full_name=f"应聘者{i:02d}") for i in range(30)])
        apps = Application.objects.bulk_create([Application(organization=org, candidate=c, position=position) for c in people])
        ApplicationProgress.objects.bulk_create([ApplicationProgress(organization=org, application=a, version=version, stage=video)
                                                 for a in apps])
        oldest = ApplicationProgress.objects.filter(stage=video).order_by("updated_at", "pk").first().application_id
        return position, video, live, oldest

    position, video, live, oldest = in_thread(setup)
    page = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 4200}).new_page()
    page.goto(asgi_server.base_url + "/accounts/login/")
    page.fill("#id_username", hr_admin.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn")
    page.wait_for_selector("[data-testid=dashboard-title]")

    page.goto(f"{asgi_server.base_url}/processes/position/{position.pk}/board/")
    column = page.locator(f"[data-testid=col-{video.key}]")
    assert column.locator(".kcard").count() == 20
    assert page.locator(f"[data-testid=count-{video.key}]").inner_text() == "30"
    assert page.locator(f"[data-testid=card-{oldest}]").count() == 0

    more = page.locator(f"[data-testid=more-{video.key}]")
    more.focus()
    page.keyboard.press("Enter")  # keyboard reachable: a link
    page.wait_for_selector(f"[data-testid=card-{oldest}]")
    assert column.locator(".kcard").count() == 30
    assert page.locator(f"[data-testid=more-{video.key}]").count() == 0  # the end of the column
    wait_for_js(page, "document.activeElement && document.activeElement.closest('.kcard') !== null")
    assert page.evaluate("document.activeElement.closest('.kcard').dataset.testid") == \
        page.locator(f"[data-testid=col-{video.key}] .kcard").nth(20).get_attribute("data-testid")

    card = page.locator(f"[data-testid=card-{oldest}]")
    target = page.locator(f"[data-testid=col-{live.key}] .cards")
    # the page is tall enough for the whole column; on a phone the columns scroll sideways: show the end of the
    # card's column and the start of the next one
    page.evaluate(f"""() => {{ const board = document.querySelector('.board');
        const col = document.querySelector('[data-testid=col-{video.key}]');
        board.scrollLeft += col.getBoundingClientRect().right - {width} / 2; window.scrollTo(0, 0); }}""")
    page.once("dialog", lambda dialog: dialog.accept("材料齐全，直接面试"))
    with page.expect_response(lambda r: "/move-to/" in r.url):
        _drag(page, card, target, width)
    page.wait_for_selector(f"[data-testid=col-{live.key}] [data-testid=card-{oldest}]")
    wait_for_js(page, f"document.querySelector('[data-testid=count-{live.key}]').textContent === '1'")
    assert page.locator(f"[data-testid=count-{video.key}]").inner_text() == "29"
    moved = in_thread(lambda: ApplicationProgress.objects.select_related("stage").get(application_id=oldest))
    assert moved.stage_id == live.pk
    page.reload()
    assert page.locator(f"[data-testid=count-{live.key}]").inner_text() == "1"
    assert page.locator(f"[data-testid=col-{live.key}] [data-testid=card-{oldest}]").count() == 1
    page.context.close()
