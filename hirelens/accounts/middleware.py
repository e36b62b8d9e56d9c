from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse


class RequireSecondFactorMiddleware:
    """A staff member who enrolled TOTP must pass it before any page but the 2FA and logout pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            if request.session.get("otp_required"):
                allowed = (reverse("accounts:otp_verify"), reverse("accounts:logout"), "/static/", "/healthz", "/i18n/")
                if not request.path.startswith(allowed):
                    return redirect(f"{reverse('accounts:otp_verify')}")
        return self.get_response(request)


class UserTimeZoneMiddleware:
    """Every page a staff member opens shows times in their own zone (``User.time_zone``, else the organization's):
    Django's ``date`` filter and ``localtime`` use the zone activated here. Visitors without a login (candidates)
    keep the default; their pages name the interview's zone themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        from django.utils import timezone

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from hirelens.core.timezones import user_zone

            try:
                timezone.activate(ZoneInfo(user_zone(user)))
            except (ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
