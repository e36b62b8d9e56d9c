from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from hirelens.core import tokens
from hirelens.core.access import require_perm
from hirelens.core.audit import audit_record
from hirelens.core.jobs import enqueue_on_commit
from hirelens.core.links import absolute_url
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm, Role

from .models import INVITATION_LINK, Invitation, User


@transaction.atomic
def invitation_create(*, actor: User, email: str, role: str, full_name: str = "", request=None) -> Invitation:
    require_perm(actor, Perm.USERS_MANAGE)
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": _("无效的角色。")})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("该邮箱已有账号。")})
    now = timezone.now()
    Invitation.objects.filter(
        organization_id=actor.organization_id, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    invitation = Invitation(
        organization_id=actor.organization_id,
        email=email,
        full_name=full_name.strip(),
        role=role,
        invited_by=actor,
        expires_at=now + settings.INVITATION_TTL,
    )
    tokens.mint(INVITATION_LINK, invitation, save=False)  # a token no one is shown: the sending task mints the real one
    invitation.full_clean()
    invitation.save()
    audit_record(action=AuditEvent.Action.INVITE, actor=actor, obj=invitation, fields=["email", "role"], request=request)
    from .tasks import invitation_send_task

    enqueue_on_commit(invitation_send_task, invitation.pk)
    return invitation


@transaction.atomic
def invitation_send(*, invitation_id: int) -> bool:
    """Mint a fresh token and e-mail it. The token exists only in the e-mail, never in the queue. Once in effect:
    ``sent_at`` commits with the token only after the SMTP server took the e-mail, and a sent invitation is not
    sent again (a worker killed before the commit leaves it unsent, and the sweep sends it again)."""
    invitation = Invitation.objects.select_for_update().select_related("organization").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_pending or invitation.sent_at is not None:
        return False
    token = tokens.mint(INVITATION_LINK, invitation, save=False)
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["token_hash", "sent_at", "updated_at"])
    organization = invitation.organization
    link = absolute_url(reverse("accounts:invitation_accept", args=[token]))
    language = organization.default_language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"invitation": invitation, "organization": organization, "link": link,
                   "role_label": Role(invitation.role).label, "inviter": invitation.invited_by}
        subject = _("%(org)s 邀请您加入 HireLens") % {"org": organization.name}
        text = render_to_string("accounts/email/invitation.txt", context)
        html = render_to_string("accounts/email/invitation.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()  # raises on SMTP failure: the task retries with back-off, a new token each try
    return True


def invitation_open(*, token: str) -> Invitation:
    """The pending invitation the link opens; ``tokens.LinkDead`` when it is unknown (404), or expired, withdrawn or
    already accepted (410)."""
    return tokens.resolve(INVITATION_LINK, token)


def invitation_get_pending(*, token: str) -> Invitation | None:
    try:
        return invitation_open(token=token)
    except tokens.LinkDead:
        return None


@transaction.atomic
def invitation_accept(*, token: str, full_name: str, password: str, request=None) -> User:
    invitation = invitation_get_pending(token=token)
    if invitation is None:
        raise ValidationError(_("邀请链接无效或已过期，请联系HR管理员重新邀请。"))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValidationError(_("邀请链接无效或已过期，请联系HR管理员重新邀请。"))
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(_("该邮箱已有账号。"))
    user = User(email=invitation.email, full_name=full_name.strip(), organization_id=invitation.organization_id, role=invitation.role)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    audit_record(action=AuditEvent.Action.CREATE, actor=user, obj=user, fields=["email", "full_name", "role"], request=request)
    from .tasks import invitation_accepted_notify_task

    enqueue_on_commit(invitation_accepted_notify_task, invitation.pk)
    return user


def invitation_accepted_notify(*, invitation_id: int) -> None:
    from hirelens.core.realtime import publish, user_group

    invitation = Invitation.objects.select_related("invited_by").filter(pk=invitation_id).first()
    if invitation is None or invitation.accepted_at is None or invitation.invited_by_id is None:
        return
    user = User.objects.filter(email=invitation.email).first()
    publish(
        user_group(invitation.invited_by_id),
        "invitation.accepted",
        {"invitation": invitation.pk, "email": invitation.email, "name": user.full_name if user else ""},
    )


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation, request=None) -> Invitation:
    require_perm(actor, Perm.USERS_MANAGE)
    if invitation.accepted_at is None and tokens.revoke(INVITATION_LINK, invitation):
        audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=invitation, fields=["revoked_at"], request=request)
    return invitation


def _active_admins(organization_id: int) -> int:
    return User.objects.filter(organization_id=organization_id, role=Role.HR_ADMIN, is_active=True).count()


@transaction.atomic
def user_update(*, actor: User, user: User, role: str, is_active: bool, full_name: str | None = None, request=None) -> User:
    require_perm(actor, Perm.USERS_MANAGE)
    if role not in Role.values:
        raise ValidationError({"role": _("无效的角色。")})
    user = User.objects.select_for_update().get(pk=user.pk)
    losing_admin = user.role == Role.HR_ADMIN and user.is_active and (role != Role.HR_ADMIN or not is_active)
    if losing_admin and _active_admins(user.organization_id) <= 1:
        raise ValidationError(_("组织至少需要一位启用的HR管理员。"))
    changed = []
    if role != user.role:
        changed.append("role")
    if is_active != user.is_active:
        changed.append("is_active")
    if full_name is not None and full_name.strip() and full_name.strip() != user.full_name:
        changed.append("full_name")
        user.full_name = full_name.strip()
    if not changed:
        return user
    user.role, user.is_active = role, is_active
    user.full_clean()
    user.save(update_fields=["role", "is_active", "full_name"])
    action = AuditEvent.Action.ROLE_CHANGE if "role" in changed else AuditEvent.Action.UPDATE
    audit_record(action=action, actor=actor, obj=user, fields=changed, request=request)
    return user


def user_unlock(*, actor: User, user: User, request=None) -> None:
    from axes.handlers.proxy import AxesProxyHandler  # noqa: F401  (ensures axes is configured)
    from axes.utils import reset

    require_perm(actor, Perm.USERS_MANAGE)
    reset(username=user.email.lower())
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=user, fields=["lockout"], request=request)


# --- Two-factor (TOTP) ---------------------------------------------------------------------------

@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="HireLens", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, user: User, token: str, request=None) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None or not device.verify_token(token.strip()):
        raise ValidationError(_("验证码不正确，请重试。"))
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(action=AuditEvent.Action.UPDATE, actor=user, obj=user, fields=["two_factor"], request=request)
    return device


@transaction.atomic
def totp_disable(*, user: User, password: str, request=None) -> None:
    if not user.check_password(password):
        raise ValidationError(_("密码不正确。"))
    TOTPDevice.objects.filter(user=user).delete()
    audit_record(action=AuditEvent.Action.UPDATE, actor=user, obj=user, fields=["two_factor"], request=request)


def user_has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def login_record(*, user: User | None, email: str, success: bool, request=None) -> None:
    """Audit a login attempt. Failures keep only the e-mail's owner id, never the typed password."""
    from hirelens.core.metrics import LOGIN_FAILURES

    if success:
        audit_record(action=AuditEvent.Action.LOGIN, actor=user, obj=user, request=request)
        return
    LOGIN_FAILURES.inc()
    target = User.objects.filter(email__iexact=email.strip()).first()
    if target is not None:
        audit_record(action=AuditEvent.Action.LOGIN_FAILED, organization_id=target.organization_id, obj=target, request=request)


@transaction.atomic
def user_preferences_update(*, actor: User, time_zone: str, language: str, request=None) -> User:
    """A staff member changes their own zone and language (empty: the organization's)."""
    from hirelens.core.timezones import clean_zone

    time_zone = clean_zone(time_zone) if time_zone else ""
    if language not in ("", "zh-hans", "en"):
        raise ValidationError(_("不支持的语言。"))
    actor.time_zone, actor.language = time_zone, language
    actor.save(update_fields=["time_zone", "language"])
    audit_record(action=AuditEvent.Action.UPDATE, actor=actor, obj=actor, fields=["time_zone", "language"], request=request)
    return actor
