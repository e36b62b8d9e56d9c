"""W3 through E2: a candidate picks an offered interview time from their portal."""

from datetime import timedelta

from django.utils import timezone

from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.portal.services import portal_link_create, portal_url
from hirelens.scheduling.models import InterviewLink, InterviewSlot


def _portal(org, hr_admin):
    application = ApplicationFactory(candidate__organization=org)
    _link, token = portal_link_create(actor=hr_admin, candidate=application.candidate, days=7)
    return application, token


def _slot(application, **extra):
    start = timezone.now() + timedelta(days=2)
    return InterviewSlot.objects.create(organization=application.organization, position=application.position,
                                        start_at=start, end_at=start + timedelta(minutes=45), time_zone="Asia/Shanghai", **extra)


def test_no_open_slot_no_button(client, org, hr_admin):
    application, token = _portal(org, hr_admin)
    page = client.get(portal_url(token)).content.decode()
    assert 'data-testid="portal-book"' not in page
    response = client.post(f"/portal/{token}/applications/{application.pk}/book/", follow=True)
    assert "目前没有可预约的面试时间" in response.content.decode()
    assert not InterviewLink.objects.exists()


def test_candidate_books_from_the_portal(client, org, hr_admin):
    application, token = _portal(org, hr_admin)
    _slot(application)
    page = client.get(portal_url(token)).content.decode()
    assert 'data-testid="portal-book"' in page
    response = client.post(f"/portal/{token}/applications/{application.pk}/book/")
    assert response.status_code == 302 and response["Location"].startswith("/scheduling/l/")
    link = InterviewLink.objects.get()
    assert (link.kind, link.application_id, link.created_by_id) == ("booking", application.pk, None)
    assert client.get(response["Location"]).status_code == 200  # the booking page with the offered slot


def test_another_candidates_application_is_404(client, org, hr_admin):
    application, token = _portal(org, hr_admin)
    other = ApplicationFactory(candidate__organization=org, position=application.position)
    _slot(other)
    assert client.post(f"/portal/{token}/applications/{other.pk}/book/").status_code == 404
    assert not InterviewLink.objects.exists()
