from __future__ import annotations

from hirelens.core.access import get_for_actor, require_perm
from hirelens.core.roles import Perm

from .models import Invitation, User


def access_user(*, actor, user_id) -> User:
    require_perm(actor, Perm.USERS_MANAGE)
    return get_for_actor(User.objects.all(), actor=actor, pk=user_id)


def access_invitation(*, actor, invitation_id) -> Invitation:
    require_perm(actor, Perm.USERS_MANAGE)
    return get_for_actor(Invitation.objects.all(), actor=actor, pk=invitation_id)


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
