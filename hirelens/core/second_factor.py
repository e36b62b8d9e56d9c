"""Whether a signed-in session still owes its second factor: read by both WebSocket consumers (core's events and the
live room). In core because core's consumer needs it and core imports no app (docs/architecture.md, "Module
boundaries"); the second factor itself (enrolment, RequireSecondFactorMiddleware) stays in accounts."""

from __future__ import annotations


def second_factor_owed(*, user, session) -> bool:
    """True when ``user`` enrolled a confirmed TOTP device but this session has not passed it yet.

    The pages learn this from django-otp's middleware (``user.is_verified()``); a WebSocket has no such
    middleware, so this reads the same session key (the verified device's persistent id) the same way."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.models import Device
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists():
        return False
    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    return device is None or device.user_id != user.pk or not device.confirmed
