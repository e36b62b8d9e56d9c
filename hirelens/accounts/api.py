"""Who is calling: the user a session or an API key acts as, with their role and permissions."""

from __future__ import annotations

from ninja import Field, Router, Schema

from hirelens.core.roles import ROLE_PERMISSIONS
from hirelens.integrations.auth import api_auth

API_PREFIX = "/accounts/"
router = Router(tags=["accounts"], auth=api_auth(None))


class KeyOut(Schema):
    name: str = Field(description="The API key's name (as the HR admin gave it).")
    prefix: str = Field(description="The key's public prefix (hl_<prefix>_…).")
    scopes: list[str] = Field(description="What the key may do: <domain>:read or <domain>:write.")


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    role: str = Field(description="The role's code: hr_admin, recruiter, hiring_manager or interviewer.")
    role_label: str = Field(description="The role in the caller's language.")
    organization_id: int | None
    permissions: list[str] = Field(description="The role's permission codes.")
    api_key: KeyOut | None = Field(None, description="The key this call was made with; null for a browser session.")


@router.get("/me", response=MeOut, summary="Who am I")
def me(request):
    """The user the call acts as (an API key acts as the user an HR admin chose for it), their role and permissions,
    and the key used. Any key may read it, whatever its scopes."""
    user = request.user
    key = getattr(request, "api_key", None)
    return MeOut(id=user.pk, email=user.email, full_name=user.full_name, role=user.role, role_label=user.get_role_display(),
                 organization_id=user.organization_id, permissions=sorted(ROLE_PERMISSIONS.get(user.role, ())),
                 api_key=KeyOut(name=key.name, prefix=key.prefix, scopes=list(key.scopes)) if key is not None else None)
