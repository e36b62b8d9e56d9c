"""Schemathesis over the API's OpenAPI schema (django-ninja, /api/v1/openapi.json): every operation, as an HR admin,
with generated valid and invalid input (boundary integers, wrong types, non-object bodies), through the real WSGI
application on the test database. Not one server error."""

from __future__ import annotations

import pytest
import schemathesis
from django.conf import settings as settings_
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from config.api import api

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()  # every request, the checks' own included, goes to the app in this process
CSRF = "edgesedgesedgesedgesedgesedges12"  # an unmasked 32-character secret, sent as cookie and header


@pytest.fixture
def keep_connection():
    # Like Django's test client: keep the test's connection (and its transaction) open across requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def hr_cookies(client, hr_admin):
    from hirelens.candidates.tests.factories import ApplicationFactory

    ApplicationFactory(candidate__organization=hr_admin.organization)  # something to find
    client.force_login(hr_admin)
    return {settings_.SESSION_COOKIE_NAME: client.cookies[settings_.SESSION_COOKIE_NAME].value, settings_.CSRF_COOKIE_NAME: CSRF}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_api_operation_never_answers_a_server_error(case, keep_connection, hr_cookies):
    with transaction.atomic():  # one example's failed statement must not poison the next on PostgreSQL
        # schemathesis' WSGI client sets cookies for the host "localhost"
        response = case.call(base_url="http://localhost", cookies=hr_cookies, headers={"X-CSRFToken": CSRF})
        case.validate_response(response, checks=[not_a_server_error])
