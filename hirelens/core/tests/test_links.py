"""Links (portal, booking, interview, invitation e-mails, .ics) name the server actually reached, not port 8000.

One builder, ``hirelens.core.links.absolute_url``: HIRELENS_SITE_URL when set; else the request's host and port;
else, outside a request (the worker), HIRELENS_HOST:HIRELENS_PORT, which ``manage.py serve`` exports to its children.
"""

import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest
from django.core import mail
from icalendar import Calendar

from conftest import ROOT, free_port, service_env

from .test_serve import _alive

pytestmark = pytest.mark.backend  # also in the SQLite run: the queue/channel backend matters (Makefile)

SERVED = "127.0.0.1:8765"


def test_portal_link_page_names_the_host_and_port_of_the_request(client, hr_admin):
    from hirelens.candidates.models import Candidate

    candidate = Candidate.objects.create(organization=hr_admin.organization, full_name="周杰", email="zhou@example.com")
    client.force_login(hr_admin)
    page = client.post(f"/portal/staff/{candidate.pk}/links/", {"days": 5}, follow=True, HTTP_HOST=SERVED).content.decode()
    urls = re.findall(r"https?://[^\s\"'<]+/portal/[^\s\"'<]+", page)
    assert urls and all(url.startswith(f"http://{SERVED}/portal/") for url in urls), urls


def test_interview_link_page_names_the_request_port(client, hr_admin):
    from hirelens.candidates.tests.factories import ApplicationFactory

    application = ApplicationFactory(organization=hr_admin.organization, position__organization=hr_admin.organization,
                                     candidate__organization=hr_admin.organization)
    client.force_login(hr_admin)
    page = client.post(f"/interviews/new/{application.pk}/", {
        "questions": "介绍一下你自己", "practice_question": "", "prep_s": 30, "answer_s": 60, "retakes": 1, "extra_prep_s": 0,
        "valid_days": 7}, HTTP_HOST="localhost:9123").content.decode()
    assert re.findall(r"https?://[^\s\"'<]+/i/[^\s\"'<]+/", page)[0].startswith("http://localhost:9123/i/")


def test_password_reset_mail_names_the_request_port(client, hr_admin):
    client.post("/accounts/password-reset/", {"email": hr_admin.email}, HTTP_HOST=SERVED)
    assert len(mail.outbox) == 1
    assert f"http://{SERVED}/accounts/password-reset/" in mail.outbox[0].body


def test_site_url_wins_over_the_request(client, hr_admin, settings):
    settings.SITE_URL = "https://hr.example.com"
    client.post("/accounts/password-reset/", {"email": hr_admin.email}, HTTP_HOST=SERVED)
    assert "https://hr.example.com/accounts/password-reset/" in mail.outbox[0].body
    assert SERVED not in mail.outbox[0].body


def test_a_host_outside_allowed_hosts_gets_no_link(client, hr_admin):
    response = client.post("/accounts/password-reset/", {"email": hr_admin.email}, HTTP_HOST="evil.example:8765")
    assert response.status_code == 400 and mail.outbox == []


def _absolute_url_in_a_process(**env) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HIRELENS_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings.local", HIRELENS_VAR_DIR=os.environ.get("HIRELENS_VAR_DIR", str(ROOT / "var")))
    code = "import django; django.setup(); from hirelens.core.links import absolute_url; print(absolute_url('/portal/x/'))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_outside_a_request_links_use_the_served_host_and_port():
    assert _absolute_url_in_a_process(HIRELENS_PORT="8765") == "http://127.0.0.1:8765/portal/x/"
    assert _absolute_url_in_a_process(HIRELENS_HOST="0.0.0.0", HIRELENS_PORT="9000") == "http://127.0.0.1:9000/portal/x/"
    assert _absolute_url_in_a_process(HIRELENS_PORT="8765", HIRELENS_SITE_URL="https://hr.example.com/") == \
        "https://hr.example.com/portal/x/"
    assert _absolute_url_in_a_process() == "http://127.0.0.1:8000/portal/x/"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_serve_on_another_port_mails_and_serves_links_to_that_port(tmp_path, smtp_server, real_queue, hr_admin, interviewer):
    """`manage.py serve --port N`: the worker's invitation e-mail and its .ics, and the .ics the web server hands out,
    all point at port N."""
    from hirelens.candidates.models import Candidate
    from hirelens.scheduling import services
    from hirelens.scheduling.tests.conftest import at
    from hirelens.workflows.tests.factories import assign, make_position

    port = free_port()
    env = service_env(PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"))  # serve empties its metrics folder: its own
    env.pop("HIRELENS_SITE_URL", None)
    env.pop("HIRELENS_PORT", None)
    log = open(tmp_path / "serve.log", "w+")
    proc = subprocess.Popen([sys.executable, "manage.py", "serve", "--port", str(port)], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 40
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                assert time.time() < deadline and proc.poll() is None, (tmp_path / "serve.log").read_text()
                time.sleep(0.3)
        position = make_position(hr_admin.organization, title="销售代表")
        assign(position, interviewer, "interviewer")
        candidate = Candidate.objects.create(organization=hr_admin.organization, full_name="赵磊", email="zhao.lei@example.com")
        from hirelens.candidates.models import Application

        application = Application.objects.create(organization=hr_admin.organization, candidate=candidate, position=position)
        services.interview_schedule(actor=hr_admin, application=application, start=at(hour=10), end=at(hour=11),
                                    interviewers=[interviewer])
        deadline = time.time() + 60
        while time.time() < deadline and not any("zhao.lei@example.com" in str(m["To"]) for m in smtp_server.messages):
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        message = next(m for m in smtp_server.messages if "zhao.lei@example.com" in str(m["To"]))
        links = re.findall(r"https?://[^\s\"'<>]+", smtp_server.text_of(message))
        assert links and all(link.startswith(f"http://127.0.0.1:{port}/") for link in links), links
        ics = next(p for p in message.walk() if p.get_content_type() == "text/calendar").get_payload(decode=True)
        mailed_url = str(Calendar.from_ical(ics).walk("VEVENT")[0]["URL"])
        assert mailed_url.startswith(f"http://127.0.0.1:{port}/scheduling/l/"), mailed_url
        # the same link opened on the server: its .ics, built in a request, names the port that was reached
        with urllib.request.urlopen(mailed_url + "calendar.ics", timeout=10) as response:
            served = Calendar.from_ical(response.read()).walk("VEVENT")[0]
        assert str(served["URL"]) == mailed_url
        worker_pid = int(re.search(r"worker pid (\d+)", (tmp_path / "serve.log").read_text()).group(1))
        assert _alive(worker_pid)
    finally:
        if proc.poll() is None:
            proc.send_signal(2)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()
