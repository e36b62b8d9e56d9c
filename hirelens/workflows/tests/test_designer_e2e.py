"""In Debian's Chromium: HR builds a process by dragging modules from the palette (SortableJS), reorders
stages by drag and drop, edits a stage in place (HTMX), publishes, and starts an application on it."""

import pytest

from conftest import in_thread, wait_for_js
from hirelens.accounts.tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _drag(page, source, target, *, below=False):
    box = source.bounding_box()
    goal = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 5, box["y"] + box["height"] / 2 + 5, steps=3)
    y = goal["y"] + (goal["height"] - 3 if below else 4)
    page.mouse.move(goal["x"] + goal["width"] / 2, y, steps=15)
    page.wait_for_timeout(150)
    page.mouse.move(goal["x"] + goal["width"] / 2, y + (1 if below else -1), steps=2)
    page.mouse.up()


def test_build_process_by_drag_and_drop_publish_and_assign(asgi_server, browser, hr_admin, interviewer):
    from hirelens.workflows.models import ApplicationProgress, Process

    from .factories import assign, make_application, make_position

    def setup():
        position = make_position(hr_admin.organization, title="客户经理")
        assign(position, interviewer, "interviewer")
        return position, make_application(position, "陈晨")

    position, application = in_thread(setup)
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000}).new_page()
    page.goto(asgi_server.base_url + "/accounts/login/")
    page.fill("#id_username", hr_admin.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn")
    page.wait_for_selector("[data-testid=dashboard-title]")

    page.goto(f"{asgi_server.base_url}/processes/position/{position.pk}/")
    page.fill("#p-name", "客户经理流程")
    page.click("[data-testid=new-process]")
    page.wait_for_selector("[data-testid=palette]")
    stages = page.locator("[data-testid=stages]")

    _drag(page, page.locator("[data-testid=palette-ai_video]"), stages)
    wait_for_js(page, "document.querySelectorAll('[data-testid=stage]').length === 1")
    _drag(page, page.locator("[data-testid=palette-live]"), stages, below=True)
    wait_for_js(page, "document.querySelectorAll('[data-testid=stage]').length === 2")
    _drag(page, page.locator("[data-testid=palette-scenario]"), page.locator("[data-testid=stage]").first)
    wait_for_js(page, "document.querySelectorAll('[data-testid=stage]').length === 3")
    titles = page.locator("[data-testid=stage-title]")
    assert titles.all_inner_texts() == ["情景模拟", "AI视频面试", "直播面试"]

    # Reorder: drag the scenario stage below the live interview.
    with page.expect_response(lambda r: "/stages/reorder/" in r.url):
        _drag(page, page.locator("[data-testid=stage] .handle").first, stages, below=True)
    wait_for_js(page, "Array.from(document.querySelectorAll('[data-testid=stage-title]')).map(e => e.innerText).join('|') === 'AI视频面试|直播面试|情景模拟'")

    # Edit the AI video stage in place: rename it and add a second question.
    page.locator("[data-testid=stage-edit]").first.click()
    form = page.locator("[data-testid=stage-form]")
    form.locator("input[name=title]").fill("AI 初筛")
    form.locator("[data-testid=new-question]").fill("讲一次你说服客户的经历。")
    # A refused save answers 400 with the form again: designer.js swaps it in, so the message shows in place.
    form.evaluate("f => { const i = document.createElement('input'); i.type = 'hidden'; i.name = 'view_roles'; "
                  "i.value = 'owner'; i.id = 'bad-role'; f.appendChild(i); }")
    with page.expect_response(lambda r: "/edit/" in r.url and r.status == 400):
        form.locator("[data-testid=stage-save]").click()
    page.wait_for_selector("[data-testid=stage-form] [role=alert]:has-text('无效的角色。')")
    form = page.locator("[data-testid=stage-form]")
    assert form.locator("input[name=title]").input_value() == "AI视频面试"  # nothing was saved: the stage as it was
    form.locator("input[name=title]").fill("AI 初筛")
    form.locator("[data-testid=new-question]").fill("讲一次你说服客户的经历。")
    form.locator("[data-testid=stage-save]").click()
    page.wait_for_selector("[data-testid=stage-form]", state="detached")
    assert titles.first.inner_text() == "AI 初筛"
    assert "2 道题" in page.locator("[data-testid=stage]").first.inner_text()

    page.click("[data-testid=preview]")
    assert "讲一次你说服客户的经历。" in page.locator("[data-testid=preview-steps]").inner_text()
    page.go_back()

    page.click("[data-testid=publish]")
    page.wait_for_selector("text=已发布版本 v1")
    assert page.locator("[data-testid=latest-version]").inner_text() == "v1"
    assert page.locator("[data-testid=active-badge]").is_visible()  # the position's process for new applications

    page.goto(f"{asgi_server.base_url}/processes/position/{position.pk}/board/")
    page.click(f"[data-testid=start-{application.pk}]")
    wait_for_js(page, f"!document.querySelector('[data-testid=start-{application.pk}]')")
    progress = in_thread(lambda: ApplicationProgress.objects.select_related("version", "stage").get(application=application))
    process = in_thread(lambda: Process.objects.get(position=position))
    assert (progress.version.process_id, progress.version.number, progress.stage.title) == (process.pk, 1, "AI 初筛")
    assert in_thread(lambda: [(s.module, s.title) for s in progress.version.stages.all()]) == [
        ("ai_video", "AI 初筛"), ("live", "直播面试"), ("scenario", "情景模拟")]

    # On the board, drag the card to the live-interview column: a person gives the reason.
    live_key = in_thread(lambda: progress.version.stages.get(module="live").key)
    page.once("dialog", lambda dialog: dialog.accept("AI 初筛表现突出，直接进入直播面试"))
    with page.expect_response(lambda r: "/move-to/" in r.url):
        _drag(page, page.locator(f"[data-testid=card-{application.pk}]"), page.locator(f"[data-testid=col-{live_key}] .cards"))
    page.wait_for_selector(f"[data-testid=col-{live_key}] [data-testid=card-{application.pk}]")
    moved = in_thread(lambda: ApplicationProgress.objects.select_related("stage").get(application=application))
    last = in_thread(lambda: moved.events.order_by("-pk").values_list("action", "reason").first())
    assert (moved.stage.title, last) == ("直播面试", ("move", "AI 初筛表现突出，直接进入直播面试"))
    page.context.close()
