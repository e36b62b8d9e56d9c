"""Fixtures shared by every app's tests: organizations and staff per role, a real SMTP server,
real server and worker processes on the test database, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (zh-Hans): a request through the test client leaves its language
    active in this thread, so a test after an English page would otherwise read English without asking for it."""
    from django.conf import settings

    if not settings.configured:  # the analysis library's suite runs without Django (-p no:django)
        yield
        return
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def org(db):
    from hirelens.accounts.tests.factories import OrganizationFactory

    return OrganizationFactory(name="示例科技", slug="example")


@pytest.fixture
def other_org(db):
    from hirelens.accounts.tests.factories import OrganizationFactory

    return OrganizationFactory(name="其他公司", slug="other")


def _user(org, role, email):
    from hirelens.accounts.tests.factories import UserFactory

    return UserFactory(organization=org, role=role, email=email)


@pytest.fixture
def hr_admin(org):
    return _user(org, "hr_admin", "admin@example.com")


@pytest.fixture
def recruiter(org):
    return _user(org, "recruiter", "recruiter@example.com")


@pytest.fixture
def interviewer(org):
    return _user(org, "interviewer", "interviewer@example.com")


@pytest.fixture
def hiring_manager(org):
    return _user(org, "hiring_manager", "manager@example.com")


@pytest.fixture
def outsider(other_org):
    """An HR admin of another organization: the strongest role, in the wrong tenant."""
    return _user(other_org, "hr_admin", "admin@other.example.com")


@pytest.fixture
def portal_actor(db):
    """``portal_actor(candidate)``: the PortalActor the portal builds for a verified link of that candidate (the only way
    to get one), for tests of the services a candidate calls from the portal."""
    from hirelens.portal.testing import portal_actor_for

    return portal_actor_for


# --- Real SMTP server -----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPSink:
    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages = []
        self.peers = []  # (host, port) of the SMTP connection that carried each message
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.peers.append(session.peer)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 20.0):
        deadline = time.time() + timeout
        while time.time() < deadline and len(self.messages) < count:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"expected {count} e-mail(s), got {len(self.messages)}"
        return self.messages

    @staticmethod
    def text_of(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def smtp_server(settings):
    sink = SMTPSink()
    sink.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield sink
    sink.controller.stop()


# --- Real processes on the test database ------------------------------------------------------

def service_env(**extra) -> dict:
    """Environment for a web or worker process that shares this test run's database, queue and files."""
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = os.environ.copy()
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "HIRELENS_DEBUG": "false",
        "HIRELENS_DATABASE_URL": url,
        "HIRELENS_HUEY_NAME": settings.HUEY["name"],
        "HIRELENS_HUEY_SQLITE_PATH": settings.HUEY.get("filename", ""),
        "HIRELENS_HUEY_ANALYSIS_SQLITE_PATH": settings.HUEY_ANALYSIS.get("filename", ""),
        "HIRELENS_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "HIRELENS_JOB_RETRY_BASE_DELAY": str(settings.JOB_RETRY_BASE_DELAY),
        "HIRELENS_EMAIL_HOST": str(settings.EMAIL_HOST or ""),
        "HIRELENS_EMAIL_PORT": str(settings.EMAIL_PORT),
        "PYTHONUNBUFFERED": "1",
    })
    env.update({key: str(value) for key, value in extra.items()})
    return env


class Process:
    def __init__(self, args, env, log_name):
        from django.conf import settings

        self.log_path = Path(settings.VAR_DIR) / f"test-{log_name}.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(2)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def start_worker():
    """Start a real Huey consumer of one queue (`manage.py run_worker --queue light|analysis`) on the test database:
    ``start_worker()`` serves the light queue (messages, reminders, webhooks...), ``start_worker(queue="analysis")``
    the media analyses."""
    started = []

    def start(*, queue: str = "light", **env_extra) -> Process:
        proc = Process([sys.executable, "manage.py", "run_worker", "--queue", queue, "-w", "2",
                        "-k", "thread", "-d", "0.1"], service_env(**env_extra), f"worker-{queue}-{len(started)}")
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


@pytest.fixture
def real_queue(settings):
    """Enqueue into the real queue storage (not the inline immediate mode) for the duration of a test: both queues;
    the light one (djhuey's HUEY) is yielded, ``analysis_queue`` gives the other."""
    from hirelens.core.jobs import QUEUES

    for huey in QUEUES.values():
        huey.immediate = False
        huey.storage.flush_all()
    yield QUEUES["light"]
    for huey in QUEUES.values():
        huey.storage.flush_all()
        huey.immediate = True


@pytest.fixture
def analysis_queue(real_queue):
    """The analysis queue, real (not inline) like ``real_queue``'s light one."""
    from hirelens.core.jobs import QUEUES

    return QUEUES["analysis"]


@pytest.fixture
def asgi_server(transactional_db):
    """uvicorn serving config.asgi (HTTP + WebSockets) on the test database."""
    import urllib.request

    port = free_port()
    proc = Process([sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
                    "--ws", "websockets", "--lifespan", "off", "--log-level", "warning"], service_env(), "asgi")
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except Exception:
            if proc.proc.poll() is not None or time.time() > deadline:
                proc.stop()
                raise RuntimeError("the ASGI server did not start:\n" + proc.output())
            time.sleep(0.2)
    proc.base_url = base
    yield proc
    proc.stop()


# --- Browser --------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]


def wait_for_js(page, expression: str, timeout: float = 30000) -> None:
    """Wait until a JavaScript expression is true in the page. Playwright's `page.wait_for_function` compiles its
    predicate inside the page with `new Function`, which our Content-Security-Policy refuses (no 'unsafe-eval');
    `page.evaluate` runs through the DevTools protocol, which the policy does not govern."""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout / 1000
    while True:
        try:
            if page.evaluate(expression):
                return
        except PlaywrightError as error:  # the page is navigating: its context went away, ask the next one
            if "context was destroyed" not in str(error) and "navigat" not in str(error):
                raise
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} ms waiting for: {expression}")
        page.wait_for_timeout(100)


def in_thread(fn):
    """Run ORM work outside the thread of a browser test (Playwright's sync API runs an event loop there) and close
    that thread's database connection afterwards; an exception inside is raised again in the caller."""
    import threading

    from django.db import connection

    out, errors = [], []

    def run():
        try:
            out.append(fn())
        except BaseException as error:  # noqa: BLE001 - re-raised below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if errors:
        raise errors[0]
    return out[0]


def staff_login(page, base_url: str, user) -> None:
    """Sign a staff member in through the login page (the demo and factory users share one password)."""
    from hirelens.accounts.tests.factories import PASSWORD

    page.goto(base_url + "/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn")
    page.wait_for_url("**/")


@pytest.fixture(scope="module")
def playwright_session():
    """One Playwright driver per test module (a second sync_playwright() in the same thread is refused, and a
    running driver's event loop would break async_to_sync in later, non-browser tests)."""
    # Playwright's sync API runs an event loop in this thread; the test itself still talks to the
    # database synchronously, which Django would otherwise refuse.
    # Restored afterwards: left set, it leaks into later tests' subprocesses (check --deploy refuses it).
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            yield playwright
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="module")
def browser(playwright_session):
    chromium = playwright_session.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    yield page
    context.close()


_DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}


def pytest_collection_modifyitems(config, items):
    """``HIRELENS_DB_TESTS_ONLY=1`` (the PostgreSQL suite of ``make test``) keeps only the tests that use the
    database: a test that never touches it gives the same result on every database, and it already ran on SQLite."""
    if os.environ.get("HIRELENS_DB_TESTS_ONLY") != "1":
        return
    kept, dropped = [], []
    for item in items:
        uses_db = item.get_closest_marker("django_db") is not None or _DB_FIXTURES & set(getattr(item, "fixturenames", ()))
        (kept if uses_db else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
