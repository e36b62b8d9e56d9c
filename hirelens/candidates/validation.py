"""Normalising and checking contact data: shared by the record pages, the portal and imports."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# ASCII digits only: \d alone also matches other scripts' digits ("13٠٠٠٠٠٠٠٠٠"), which no SMS or WeChat API takes
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
INTL_RE = re.compile(r"^\+\d{7,15}$", re.ASCII)


def clean_text(value) -> str:
    """Full-width characters to half-width (NFKC), ideographic and repeated spaces collapsed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).replace("\u3000", " ")
    return re.sub(r"\s+", " ", text).strip()


def normalize_phone(value) -> str:
    """``+86 138-0013-8000`` → ``13800138000``; other countries keep their ``+`` prefix."""
    text = clean_text(value)
    digits = re.sub(r"[\s\-().]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def check_phone(value: str) -> str:
    phone = normalize_phone(value)
    if not phone:
        return ""
    if MOBILE_RE.match(phone) or INTL_RE.match(phone):
        return phone
    raise ValidationError(_("手机号格式不正确。"), code="phone")


def check_email(value: str) -> str:
    email = clean_text(value).replace(" ", "").lower()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(_("邮箱格式不正确。"), code="email") from None
    return email


def id_number_valid(value: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        datetime.strptime(value[6:14], "%Y%m%d")
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == value[17]


def check_id_number(value: str) -> str:
    """Mainland resident ID (18 characters, GB 11643 checksum)."""
    number = clean_text(value).replace(" ", "").upper()
    if not number:
        return ""
    if len(number) != 18:
        raise ValidationError(_("身份证号应为18位（当前%(n)s位）。") % {"n": len(number)}, code="id_length")
    if not id_number_valid(number):
        raise ValidationError(_("身份证号校验位或出生日期不正确。"), code="id_checksum")
    return number


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%d/%m/%Y")


def check_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = clean_text(value)
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(_("日期无法识别，请使用 2026-01-31 格式。"), code="date")


# --- De-identification (脱敏) --------------------------------------------------------------------

def mask_name(name: str) -> str:
    name = clean_text(name)
    if not name:
        return ""
    if " " in name:  # Latin names: initial of each part
        return " ".join(part[0] + "." for part in name.split())
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str) -> str:
    from .masking import mask_phone as mask  # the one masking rule (masking.py)

    return mask(phone)


def mask_email(email: str) -> str:
    from .masking import mask_email as mask

    return mask(email) if "@" in (email or "") else ""
