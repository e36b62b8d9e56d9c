from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hirelens.core.models import Organization, TenantOwnedModel
from hirelens.core.roles import Role
from hirelens.core.tokens import LinkKind, link_kind


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A staff member of one organization. Candidates never get a staff login."""

    email = models.EmailField(_("邮箱"), unique=True)
    full_name = models.CharField(_("姓名"), max_length=150)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.INTERVIEWER)
    language = models.CharField(_("界面语言"), max_length=10, blank=True)
    # Empty: the organization's zone (staff default to it); see hirelens.core.timezones.user_zone.
    time_zone = models.CharField(_("时区"), max_length=64, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_staff(self) -> bool:  # Django's admin is not installed; kept for third-party checks
        return False


class Invitation(TenantOwnedModel):
    """A pending invitation of a new staff member. Only the token's SHA-256 is stored."""

    email = models.EmailField(_("邮箱"))
    full_name = models.CharField(_("姓名"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Set in the transaction that e-mails the token: an invitation without it lost its job (issue 15).
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


# The invitation's link (core/tokens.py): used once (accepted); a deactivated organization withdraws its invitations.
INVITATION_LINK = link_kind(LinkKind(name="accounts.invitation", model=Invitation, used_field="accepted_at",
                                     select_related=("organization",), withdrawn=lambda i: not i.organization.is_active))
