import re

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from hirelens.accounts.models import Invitation, User
from hirelens.core.models import AuditEvent


@pytest.fixture
def invite(client, django_capture_on_commit_callbacks):
    def send(hr_admin, email="new.person@example.com", role="interviewer"):
        client.force_login(hr_admin)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/accounts/users/invite/", {"email": email, "full_name": "新同事", "role": role})

    return send


def link_from(smtp_server):
    message = smtp_server.wait_for(1)[-1]
    return message, re.search(r"https?://[^/\s]+(/accounts/invite/[\w-]+/)", smtp_server.text_of(message)).group(1)


def test_invite_email_and_accept(invite, client, hr_admin, smtp_server, org):
    assert invite(hr_admin).status_code == 302
    message, link = link_from(smtp_server)
    assert message["To"] == "new.person@example.com"
    assert org.name in message["Subject"]
    assert "面试官" in smtp_server.text_of(message)
    invitation = Invitation.objects.get()
    assert link.split("/")[-2] not in invitation.token_hash  # only the hash is stored

    newcomer = Client()
    page = newcomer.get(link)
    assert page.status_code == 200 and "new.person@example.com" in page.content.decode()
    weak = newcomer.post(link, {"full_name": "新同事", "password1": "123", "password2": "123"})
    assert weak.status_code == 200 and not User.objects.filter(email="new.person@example.com").exists()
    response = newcomer.post(link, {"full_name": "赵新", "password1": "Strong-Passw0rd-X", "password2": "Strong-Passw0rd-X"})
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.com")
    assert (user.organization_id, user.role, user.full_name) == (org.pk, "interviewer", "赵新")
    assert newcomer.get("/").status_code == 200
    # One use only: a used invitation is gone (410) and says so.
    used = Client().get(link)
    assert used.status_code == 410 and 'data-status="used"' in used.content.decode()
    assert AuditEvent.objects.filter(action="invite").count() == 1


def test_expired_and_revoked_invitations_are_refused(invite, client, hr_admin, smtp_server):
    """The one link rule (core/tokens.py): expired and withdrawn 410 in words (zh-Hans and English), unknown 404; the
    row holds only the token's hash, which does not depend on SECRET_KEY."""
    invite(hr_admin)
    _, link = link_from(smtp_server)
    token = link.split("/")[-2]
    assert token not in str(Invitation.objects.values().get())
    with override_settings(SECRET_KEY="rotated-" + "k" * 50):
        assert Client().get(link).status_code == 200
    Invitation.objects.update(expires_at=timezone.now())
    response = Client().get(link)
    assert response.status_code == 410 and "邀请链接已过期，请联系HR管理员重新邀请。" in response.content.decode()
    english = Client().get(link, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This invitation link has expired" in english and 'data-status="expired"' in english
    Invitation.objects.update(expires_at=timezone.now() + timezone.timedelta(days=1))
    client.post(f"/accounts/invitations/{Invitation.objects.get().pk}/revoke/")
    revoked = Client().get(link)
    assert revoked.status_code == 410 and "这份邀请已被撤回" in revoked.content.decode()
    unknown = Client().get("/accounts/invite/no-such-invitation/", HTTP_ACCEPT_LANGUAGE="en")
    assert unknown.status_code == 404 and "not recognised" in unknown.content.decode()


def test_invite_existing_email_is_a_form_error(invite, client, hr_admin, recruiter):
    response = invite(hr_admin, email=recruiter.email)
    assert response.status_code == 400 and "该邮箱已有账号" in response.content.decode()
    assert not Invitation.objects.exists()


def test_role_change_and_last_admin_guard(client, hr_admin, recruiter):
    client.force_login(hr_admin)
    response = client.post(f"/accounts/users/{recruiter.pk}/", {"full_name": recruiter.full_name, "role": "hiring_manager", "is_active": "on"})
    assert response.status_code == 302
    recruiter.refresh_from_db()
    assert recruiter.role == "hiring_manager"
    assert AuditEvent.objects.filter(action="role_change", object_id=str(recruiter.pk), fields=["role"]).exists()
    response = client.post(f"/accounts/users/{hr_admin.pk}/", {"full_name": hr_admin.full_name, "role": "recruiter", "is_active": "on"})
    assert response.status_code == 400 and "至少需要一位启用的HR管理员" in response.content.decode()
    hr_admin.refresh_from_db()
    assert hr_admin.role == "hr_admin"


def test_user_search_and_pagination(client, hr_admin, recruiter, interviewer):
    client.force_login(hr_admin)
    page = client.get("/accounts/users/", {"q": "interviewer@"}).content.decode()
    assert page.count('data-testid="user-row"') == 1
    page = client.get("/accounts/users/", {"role": "recruiter"}).content.decode()
    assert recruiter.email in page and interviewer.email not in page


@pytest.mark.parametrize("path", ["/accounts/users/{id}/", "/accounts/users/{id}/unlock/"])
def test_other_organizations_users_are_404(client, hr_admin, outsider, path):
    client.force_login(hr_admin)
    url = path.format(id=outsider.pk)
    response = client.post(url) if url.endswith("unlock/") else client.get(url)
    assert response.status_code == 404
