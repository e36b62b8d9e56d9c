import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hirelens.accounts.models import User
from hirelens.accounts.tests.factories import PASSWORD
from hirelens.core.models import AuditEvent

GENERIC = "邮箱或密码不正确"


def login(client, email, password):
    return client.post("/accounts/login/", {"username": email, "password": password})


def test_passwords_are_argon2(hr_admin):
    assert User.objects.get(pk=hr_admin.pk).password.startswith("argon2$argon2id$")


def test_login_and_logout(client, hr_admin):
    response = login(client, hr_admin.email, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    dashboard = client.get("/")
    assert "工作台" in dashboard.content.decode()
    assert AuditEvent.objects.filter(action="login", actor_id=hr_admin.pk).count() == 1
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # back to the login page


def test_wrong_password_and_unknown_email_give_the_same_error(client, hr_admin):
    wrong = login(client, hr_admin.email, "not-the-password").content.decode()
    unknown = login(client, "nobody@example.com", "whatever-password").content.decode()
    assert GENERIC in wrong and GENERIC in unknown
    assert AuditEvent.objects.filter(action="login_failed", object_id=str(hr_admin.pk)).count() == 1


def test_inactive_user_gets_the_generic_error(client, hr_admin):
    hr_admin.is_active = False
    hr_admin.save()
    assert GENERIC in login(client, hr_admin.email, PASSWORD).content.decode()


def test_lockout_after_repeated_failures(client, hr_admin, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, hr_admin.email, "bad-password").status_code == 200
    locked = login(client, hr_admin.email, "bad-password")
    assert locked.status_code == 429 and "账号已暂时锁定" in locked.content.decode()
    # Even the right password is refused while locked, from any client.
    again = login(Client(), hr_admin.email, PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in again.client.session


def test_hr_admin_can_unlock(client, hr_admin, recruiter, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), recruiter.email, "bad-password")
    assert login(Client(), recruiter.email, PASSWORD).status_code == 429
    client.force_login(hr_admin)
    assert client.post(f"/accounts/users/{recruiter.pk}/unlock/").status_code == 302
    assert login(Client(), recruiter.email, PASSWORD).status_code == 302


def test_missing_csrf_token_is_refused(hr_admin):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": hr_admin.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "请求已过期" in response.content.decode()
    strict.force_login(hr_admin)
    response = strict.post("/accounts/users/invite/", {"email": "new@example.com", "role": "recruiter"})
    assert response.status_code == 403


def test_password_reset_by_email_through_real_smtp(client, hr_admin, smtp_server):
    response = client.post("/accounts/password-reset/", {"email": hr_admin.email.upper()})
    assert response.status_code == 302
    message = smtp_server.wait_for(1)[0]
    assert message["To"] == hr_admin.email
    assert message["Subject"] == "HireLens 密码重置"
    link = re.search(r"https?://[^/]+(/accounts/password-reset/\S+/)", smtp_server.text_of(message)).group(1)
    form_page = client.get(link, follow=True)
    assert "设置新密码" in form_page.content.decode()
    new_password = "Brand-New-Passw0rd!"
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    assert User.objects.get(pk=hr_admin.pk).check_password(new_password)
    # The link works once.
    assert "链接无效" in client.get(link, follow=True).content.decode()


def test_password_reset_for_unknown_email_sends_nothing(db, client, smtp_server):
    assert client.post("/accounts/password-reset/", {"email": "ghost@example.com"}).status_code == 302
    assert smtp_server.messages == []


def test_totp_enrolment_and_login(client, hr_admin):
    client.force_login(hr_admin)
    client.post("/accounts/security/", {"action": "start"})
    device = TOTPDevice.objects.get(user=hr_admin, confirmed=False)
    page = client.get("/accounts/security/").content.decode()
    assert "<svg" in page and 'data-testid="totp-secret"' in page
    bad = client.post("/accounts/security/", {"action": "confirm", "token": "000000"})
    assert "验证码不正确" in bad.content.decode()
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    assert client.post("/accounts/security/", {"action": "confirm", "token": code}).status_code == 302
    assert TOTPDevice.objects.filter(user=hr_admin, confirmed=True).count() == 1

    fresh = Client()
    response = login(fresh, hr_admin.email, PASSWORD)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/verify/")
    # Without the second factor every page sends the user back to the verification page.
    assert fresh.get("/audit/")["Location"].startswith("/accounts/2fa/verify/")
    assert "验证码不正确" in fresh.post("/accounts/2fa/verify/", {"token": "123456"}).content.decode()
    device.refresh_from_db()
    device.last_t = -1
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None  # the failed try throttles
    device.save()
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    assert fresh.post("/accounts/2fa/verify/", {"token": code}).status_code == 302
    assert fresh.get("/audit/").status_code == 200


@pytest.mark.parametrize("role", ["recruiter", "interviewer", "hiring_manager"])
def test_only_hr_admin_manages_users(client, role, request):
    user = request.getfixturevalue(role)
    client.force_login(user)
    assert client.get("/accounts/users/").status_code == 403
    assert client.post("/accounts/users/invite/", {"email": "x@example.com", "role": "hr_admin"}).status_code == 403
