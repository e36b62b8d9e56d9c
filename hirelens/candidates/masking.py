"""Contact details on a need-to-know basis (PIPL minimum necessary): the one masking rule.

People without ``Perm.CANDIDATES_CONTACT`` (interviewers, hiring managers) see a candidate's phone, e-mail,
ID number and address masked everywhere: pages (``{{ candidate|contact:"phone" }}`` with
``{% load contact %}``), the API (``contact_out``), e-mails to staff (``contact_for``). People with the
permission also see them masked on the record until they press "显示": ``contact_reveal`` returns the full value
and writes one audit entry naming the candidate and the field, so the full value is never in a page's HTML
before someone asked for it (and the audit log says who asked).

    138****1234   z***@example.com   1101**********1234   北京市朝阳区****
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from hirelens.core.access import require_perm
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm, user_can

from .validation import normalize_phone

CONTACT_FIELDS = ("phone", "email", "id_number", "address")
FIELD_LABELS = {"phone": _("手机号"), "email": _("邮箱"), "id_number": _("身份证号"), "address": _("地址")}
# The audit entry of a reveal: this marker (labelled "查看了联系方式" on the audit log) plus the field.
REVEAL_MARKER = "contact_reveal"


def mask_phone(value: str) -> str:
    digits = re.sub(r"[^\d+]", "", normalize_phone(value or ""))  # +86 138-0013-8000 -> 138****8000
    if not digits:
        return ""
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "****" + digits[-4:]


def mask_email(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if "@" not in value:
        return "***"
    local, domain = value.split("@", 1)
    return (local[:1] or "*") + "***@" + domain


def mask_id_number(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_address(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    keep = min(6, len(value) // 2)
    return value[:keep] + "****"


MASKERS = {"phone": mask_phone, "email": mask_email, "id_number": mask_id_number, "address": mask_address}

# Contact details inside free text (resume text, parsed resume): masked for readers without the permission.
_TEXT_PATTERNS = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), mask_email),
    (re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"), mask_id_number),
    (re.compile(r"(?<![\d])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)"), mask_phone),
)


def mask(value: str, field: str) -> str:
    """``value`` as someone without the permission sees it (``field``: phone, email, id_number or address)."""
    return MASKERS[field](value or "")


def can_see_contact(actor) -> bool:
    return user_can(actor, Perm.CANDIDATES_CONTACT)


def contact_for(actor, value: str, field: str) -> str:
    """The value as ``actor`` may read it where no "显示" step exists (API, e-mails to staff, exports)."""
    return (value or "") if can_see_contact(actor) else mask(value, field)


def contact_out(actor, candidate) -> dict[str, str]:
    """The four contact fields of ``candidate`` as ``actor`` may read them."""
    return {field: contact_for(actor, getattr(candidate, field, "") or "", field) for field in CONTACT_FIELDS}


def mask_text(text: str) -> str:
    """Phones, e-mails and ID numbers inside free text, masked."""
    text = text or ""
    for pattern, masker in _TEXT_PATTERNS:
        text = pattern.sub(lambda m, masker=masker: masker(m.group(0)), text)
    return text


def text_for(actor, text: str) -> str:
    return (text or "") if can_see_contact(actor) else mask_text(text)


@transaction.atomic
def contact_reveal(*, actor, candidate, field: str, request=None) -> str:
    """The full value of one contact field for someone with the permission, and one audit entry
    ("查看了联系方式" + the field, on the candidate). Without the permission: PermissionDenied, nothing written."""
    require_perm(actor, Perm.CANDIDATES_CONTACT)
    if field not in CONTACT_FIELDS or candidate.organization_id != actor.organization_id:
        raise PermissionDenied
    audit_record(action=AuditEvent.Action.READ, actor=actor, obj=candidate, fields=[REVEAL_MARKER, field], request=request)
    return getattr(candidate, field, "") or ""


_CONTACT_QUERY = re.compile(r"^(?:\S+@\S+|\d{17}[\dXx]|\+?[\d\s-]{7,20})$")


def query_is_contact(query: str) -> bool:
    """A search for an exact phone, e-mail or ID number (the blind-index searches): only for people with the
    permission, or the search would tell an interviewer whose number it is."""
    return bool(_CONTACT_QUERY.match((query or "").strip()))


def contact_search_allowed(actor, query: str) -> bool:
    return can_see_contact(actor) or not query_is_contact(query)
