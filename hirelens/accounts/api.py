from __future__ import annotations

from ninja import Router, Schema

from .roles import ROLE_PERMISSIONS
from hirelens.integrations.auth import api_auth

API_PREFIX = "/accounts/"
router = Router(tags=["accounts"], auth=api_auth(None))


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    role: str
    organization_id: int | None
    permissions: list[str]


@router.get("/me", response=MeOut)
def me(request):
    user = request.user
    return MeOut(id=user.pk, email=user.email, full_name=user.full_name, role=user.role,
                 organization_id=user.organization_id, permissions=sorted(ROLE_PERMISSIONS.get(user.role, ())))
