"""Candidates are never pointed at staff pages (issue 19): on every candidate page — the AI interview, the live
interview's join page, the portal, booking, survey, help form, each dead link — and on the 404, 403, CSRF and 500
pages, a visitor who is not signed in finds no link that leads to the staff login or the dashboard (the header's
HireLens is plain text, no "back to the dashboard"); a signed-in staff member keeps both."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import get_resolver
from django.utils import timezone, translation

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def _hrefs(html: str) -> list[str]:
    return re.findall(r'<a\b[^>]*\bhref="([^"]*)"', html)


def _leads_to_staff(href: str) -> bool:
    """Opened by an anonymous visitor, the link ends on the staff login (or is the dashboard itself)."""
    parts = urlsplit(href)
    if parts.scheme not in ("", "http") or (parts.netloc not in ("", "testserver")) or not parts.path:
        return False
    if parts.path.startswith("/static/"):
        return False
    if parts.path == "/" or parts.path.startswith("/accounts/"):
        return True
    response = Client().get(parts.path + (f"?{parts.query}" if parts.query else ""))
    return response.status_code in (301, 302) and urlsplit(response["Location"]).path == LOGIN


def assert_no_staff_links(html: str, what: str) -> None:
    staff = [href for href in _hrefs(html) if _leads_to_staff(href)]
    assert staff == [], f"{what}: links that lead a candidate to staff pages: {staff}"
    assert 'class="brand" href' not in html, f"{what}: the brand is a link"
    assert "返回工作台" not in html and "Back to the dashboard" not in html, what


def _application(org, name="陈晨"):
    from hirelens.workflows.tests.factories import make_application, make_position

    return make_application(make_position(org, title="销售代表"), name)


def _candidate_pages(org, hr_admin, interviewer) -> dict[str, str]:
    """Every kind of candidate page, reachable and dead: label → path."""
    from hirelens.feedback.services import survey_send
    from hirelens.interviews.services import _hash
    from hirelens.interviews.tests.factories import InterviewSessionFactory
    from hirelens.live.tests.room_setup import ensure_notices, live_interview
    from hirelens.messaging.services.helpdesk import help_link_token
    from hirelens.portal.services import portal_link_create, portal_link_revoke, portal_url
    from hirelens.scheduling import services as scheduling
    from hirelens.scheduling.links import link_issue, link_url
    from hirelens.scheduling.models import InterviewLink, InterviewSlot

    application = _application(org)
    start = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    InterviewSlot.objects.create(organization=org, position=application.position, start_at=start,
                                 end_at=start + timedelta(minutes=45), time_zone="Asia/Shanghai")
    InterviewSessionFactory(application=application, token_hash=_hash("links-open"))
    InterviewSessionFactory(application=application, token_hash=_hash("links-revoked"), revoked_at=timezone.now())
    InterviewSessionFactory(application=application, token_hash=_hash("links-expired"),
                            expires_at=timezone.now() - timedelta(days=1))
    ensure_notices()
    _room, live_token = live_interview(org, hr_admin, [interviewer])
    portal = portal_link_create(actor=hr_admin, candidate=application.candidate)[1]
    revoked_link, revoked_portal = portal_link_create(actor=hr_admin, candidate=application.candidate)
    portal_link_revoke(actor=hr_admin, link=revoked_link)
    expired_booking_link, expired_booking = link_issue(application=application, kind=InterviewLink.Kind.BOOKING)
    InterviewLink.objects.filter(pk=expired_booking_link.pk).update(expires_at=timezone.now() - timedelta(days=1))
    survey_token = survey_send(application=application, now=timezone.now())[1]
    return {
        "AI interview": "/i/links-open/",
        "AI interview, revoked": "/i/links-revoked/",
        "AI interview, expired": "/i/links-expired/",
        "AI interview, unknown": "/i/no-such-token/",
        "live join": f"/live/join/{live_token}/",
        "live, unknown": "/live/join/no-such-token/",
        "portal": portal_url(portal, absolute=False),
        "portal, revoked": portal_url(revoked_portal, absolute=False),
        "booking": urlsplit(scheduling.booking_link_issue(actor=hr_admin, application=application)).path,
        "booking, expired": link_url(expired_booking, absolute=False),
        "survey": f"/feedback/s/{survey_token}/",
        "survey, unknown": "/feedback/s/no-such-token/",
        "help form": f"/messaging/help/{help_link_token(candidate=application.candidate)}/",
        "help form, unknown": "/messaging/help/no-such-token/",
        "404": "/no-such-page/",
    }


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_candidate_page_points_a_visitor_at_staff_pages(org, hr_admin, interviewer, language):
    pages = _candidate_pages(org, hr_admin, interviewer)
    for label, path in pages.items():
        client = Client(HTTP_ACCEPT_LANGUAGE=language)  # each link in its own browser (one candidate's links per session)
        response = client.get(path)
        assert response.status_code in (200, 404, 410), (label, response.status_code)
        html = response.content.decode()
        assert "HireLens</a>" not in html, label  # the brand is there as plain text
        assert_no_staff_links(html, label)
    page = client.get("/no-such-page/").content.decode()
    assert ("There is no page at this address" if language == "en" else "这个地址没有对应的页面") in page


def _rendered_403(user) -> str:
    from django.views.defaults import permission_denied

    request = RequestFactory().get("/candidates/")
    request.user = user
    return permission_denied(request, PermissionDenied()).content.decode()


def _rendered_500(user) -> str:
    request = RequestFactory().get("/somewhere/")
    request.user = user
    response = get_resolver().resolve_error_handler(500)(request)
    assert response.status_code == 500
    return response.content.decode()


def test_error_pages_for_a_visitor_have_no_staff_links():
    for label, html in (("403", _rendered_403(AnonymousUser())), ("500", _rendered_500(AnonymousUser()))):
        assert_no_staff_links(html, label)
    assert "招聘方发给您的链接" in _rendered_403(AnonymousUser())

    class Broken:  # the user could not be read (the session store is down): no staff link either
        @property
        def is_authenticated(self):
            raise RuntimeError("database down")

    assert "返回工作台" not in _rendered_500(Broken())

    csrf = Client(enforce_csrf_checks=True).post("/messaging/help/no-such-token/", {"body": "x"})
    assert csrf.status_code == 403
    assert_no_staff_links(csrf.content.decode(), "403 (CSRF)")


def test_signed_in_staff_keep_their_links(org, hr_admin, interviewer):
    pages = _candidate_pages(org, hr_admin, interviewer)
    client = Client()
    client.force_login(hr_admin)
    for label in ("404", "AI interview, unknown", "booking, expired"):
        html = client.get(pages[label]).content.decode()
        assert '<a class="brand" href="/">HireLens</a>' in html, label
    not_found = client.get("/no-such-page/").content.decode()
    assert 'data-testid="staff-home"' in not_found and "返回工作台" in not_found
    assert 'data-testid="staff-home"' in _rendered_403(hr_admin)
    assert 'data-testid="staff-home"' in _rendered_500(hr_admin)
