"""The API reference page (/api/v1/docs) in Chromium with no internet: Swagger UI from the static files the project
installs, under the server's Content-Security-Policy. Every operation of the schema renders, one opens with its
description and error answers, and not one request leaves the host (a request elsewhere is refused and recorded)."""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`));
"""


def test_reference_page_renders_every_operation_offline(asgi_server, browser):
    base = asgi_server.base_url
    with urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=30) as answer:
        schema = json.load(answer)
    operations = [(method.upper(), path, op) for path, item in schema["paths"].items()
                  for method, op in item.items() if method in ("get", "post", "put", "patch", "delete")]
    assert len(operations) >= 15

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH)
    requested, refused, problems = [], [], []

    def route(request_route):
        url = request_route.request.url
        requested.append(url)
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or f"{parts.scheme}://{parts.netloc}" == base:
            request_route.continue_()
        else:
            refused.append(url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    response = page.goto(base + "/api/v1/docs", wait_until="networkidle")
    assert response.status == 200
    page.wait_for_selector(".opblock", timeout=30000)

    assert page.locator(".info .title").first.inner_text().startswith("HireLens API")
    assert page.locator(".opblock").count() == len(operations)
    # each operation's path and summary is on the page
    shown = page.evaluate("Array.from(document.querySelectorAll('.opblock-summary-path')).map(e => e.dataset.path || e.innerText)")
    for _method, path, _op in operations:
        assert any(path.replace("\u200b", "") == s.replace("\u200b", "") for s in shown), (path, shown[:5])
    summaries = page.locator(".opblock-summary-description").all_inner_texts()
    for _method, _path, op in operations:
        assert op.get("summary", "") in summaries

    # open the first operation: its description and problem-details error answers render
    method, path, op = operations[0]
    page.locator(".opblock").first.locator(".opblock-summary").click()
    page.wait_for_selector(".opblock.is-open .responses-table")
    opened = page.locator(".opblock.is-open").first.inner_text()
    assert "401" in opened and "403" in opened
    if op.get("description"):
        assert op["description"].split("\n")[0][:30] in opened

    page.wait_for_timeout(300)
    problems += [f"CSP {v}" for v in page.evaluate("window.__violations")]
    assert refused == [], refused  # nothing from a CDN, no validator badge, no fonts from elsewhere
    assert any(url.endswith("/static/ninja/swagger-ui-bundle.js") for url in requested), requested
    assert any(url.endswith("/api/v1/openapi.json") for url in requested), requested
    assert problems == []
    context.close()
