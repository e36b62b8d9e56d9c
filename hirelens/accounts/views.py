from __future__ import annotations

import base64

import segno
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from hirelens.core.links import site_url
from hirelens.core.roles import Role
from hirelens.core.tokens import LinkDead

from . import selectors, services
from .access import access_invitation, access_user
from .forms import InvitationAcceptForm, InvitationForm, LoginForm, PasswordConfirmForm, TokenForm, UserEditForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        response = super().form_valid(form)
        services.login_record(user=user, email=user.email, success=True, request=self.request)
        if user.language:
            response.set_cookie("django_language", user.language, samesite="Lax")
        if services.user_has_two_factor(user):
            self.request.session["otp_required"] = True
            return redirect(reverse("accounts:otp_verify") + "?next=" + self.get_success_url())
        return response

    def form_invalid(self, form):
        # the typed e-mail as the login form read it (a blank or over-long one names no account)
        services.login_record(user=None, email=form.cleaned_data.get("username", ""), success=False, request=self.request)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        self.extra_email_context = {"site_url": site_url(request=self.request)}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
def otp_verify(request):
    form = TokenForm(request.POST or None)
    next_url = request.GET.get("next") or reverse("core:dashboard")
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = reverse("core:dashboard")
    if request.method == "POST" and form.is_valid():
        device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
        if device is not None and device.verify_token(form.cleaned_data["token"].strip()):
            otp_login(request, device)
            request.session.pop("otp_required", None)
            return redirect(next_url)
        form.add_error("token", _("验证码不正确，请重试。"))
    return render(request, "accounts/otp_verify.html", {"form": form})


@login_required
def security(request):
    """Two-factor set-up: start (QR code), confirm with a first code, or disable with the password."""
    enabled = services.user_has_two_factor(request.user)
    token_form, password_form, qr_svg, secret = TokenForm(), PasswordConfirmForm(), None, None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "start":
                services.totp_device_start(user=request.user)
            elif action == "confirm":
                token_form = TokenForm(request.POST)
                if token_form.is_valid():
                    device = services.totp_device_confirm(user=request.user, token=token_form.cleaned_data["token"], request=request)
                    otp_login(request, device)
                    messages.success(request, _("两步验证已启用。"))
                    return redirect("accounts:security")
            elif action == "disable":
                password_form = PasswordConfirmForm(request.POST)
                if password_form.is_valid():
                    services.totp_disable(user=request.user, password=password_form.cleaned_data["password"], request=request)
                    messages.success(request, _("两步验证已关闭。"))
                    return redirect("accounts:security")
        except ValidationError as exc:
            target = token_form if action == "confirm" else password_form
            for message in exc.messages:
                target.add_error(None, message)
    pending = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("-id").first()
    if pending is not None and not enabled:
        qr_svg = segno.make(pending.config_url, error="m").svg_inline(scale=4)
        secret = base64.b32encode(pending.bin_key).decode().rstrip("=")
    return render(request, "accounts/security.html", {
        "enabled": enabled, "pending": pending, "qr_svg": qr_svg, "secret": secret,
        "token_form": token_form, "password_form": password_form,
    })


def invitation_accept(request, token: str):
    try:
        invitation = services.invitation_open(token=token)
    except LinkDead as dead:  # unknown 404; expired, withdrawn or already used 410 (core/tokens.py)
        response = render(request, "accounts/invitation_invalid.html", {"status": dead.status}, status=dead.status_code)
        response["Referrer-Policy"] = "same-origin"
        return response
    form = InvitationAcceptForm(request.POST or None, initial={"full_name": invitation.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password1"], request=request
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("password1" if "密码" in message or "password" in message.lower() else None, message)
        else:
            auth_login(request, user, backend="hirelens.accounts.backends.UserWithOrganizationBackend")
            messages.success(request, _("欢迎加入 %(org)s！") % {"org": invitation.organization.name})
            return redirect("core:dashboard")
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation})


@login_required
def user_list(request):
    users = selectors.user_list(
        actor=request.user, search=request.GET.get("q", "").strip(), role=request.GET.get("role", ""),
        active=request.GET.get("active", ""),
    )
    page = Paginator(users, 25).get_page(request.GET.get("page"))
    context = {
        "page": page, "roles": Role.choices, "invite_form": InvitationForm(),
        "invitations": selectors.invitation_pending_list(actor=request.user),
    }
    template = "accounts/_user_rows.html" if request.htmx and request.htmx.target == "user-rows" else "accounts/user_list.html"
    return render(request, template, context)


@login_required
@require_POST
def user_invite(request):
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_create(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("邀请已发送至 %(email)s。") % {"email": form.cleaned_data["email"]})
            return redirect("accounts:user_list")
    users = selectors.user_list(actor=request.user)
    return render(request, "accounts/user_list.html", {
        "page": Paginator(users, 25).get_page(1), "roles": Role.choices, "invite_form": form,
        "invitations": selectors.invitation_pending_list(actor=request.user),
    }, status=400)


@login_required
def user_edit(request, user_id: int):
    target = access_user(actor=request.user, user_id=user_id)
    form = UserEditForm(request.POST or None, initial={"full_name": target.full_name, "role": target.role, "is_active": target.is_active})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=target, request=request, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已保存 %(name)s 的设置。") % {"name": form.cleaned_data["full_name"]})
            return redirect("accounts:user_list")
    return render(request, "accounts/user_edit.html", {"form": form, "target": target}, status=400 if form.errors else 200)


@login_required
@require_POST
def user_unlock(request, user_id: int):
    target = access_user(actor=request.user, user_id=user_id)
    services.user_unlock(actor=request.user, user=target, request=request)
    messages.success(request, _("已解除 %(email)s 的登录锁定。") % {"email": target.email})
    return redirect("accounts:user_list")


@login_required
@require_POST
def invitation_revoke(request, invitation_id: int):
    invitation = access_invitation(actor=request.user, invitation_id=invitation_id)
    services.invitation_revoke(actor=request.user, invitation=invitation, request=request)
    messages.success(request, _("邀请已撤销。"))
    return redirect("accounts:user_list")


@login_required
def preferences(request):
    """个人设置: the staff member's own time zone (default: the organization's) and language."""
    from hirelens.core.timezones import user_zone

    from .forms import PreferencesForm

    form = PreferencesForm(request.POST or None, initial={"time_zone": request.user.time_zone or user_zone(request.user),
                                                           "language": request.user.language})
    if request.method == "POST" and form.is_valid():
        zone = form.cleaned_data["time_zone"]
        if zone == request.user.organization.time_zone and not request.user.time_zone:
            zone = ""  # still the organization's: follow it when the organization changes its zone
        try:
            services.user_preferences_update(actor=request.user, time_zone=zone, language=form.cleaned_data["language"],
                                             request=request)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("个人设置已保存。"))
            response = redirect("accounts:preferences")
            if form.cleaned_data["language"]:
                from django.conf import settings

                response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.cleaned_data["language"])
            return response
    return render(request, "accounts/preferences.html", {"form": form, "org_zone": request.user.organization.time_zone},
                  status=400 if form.errors else 200)
