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

