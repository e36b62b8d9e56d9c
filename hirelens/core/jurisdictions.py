"""Where a rule comes from: the one list of jurisdictions, and what each one means to the product.

A position names where the role is (``Position.jurisdiction``), an organization the law its candidates' rights
requests follow (``PrivacySettings.jurisdiction``), and a retention row the positions it applies to
(``RetentionPolicy.jurisdiction``, empty for the organization's default): all three store these codes.

Per jurisdiction, in one place: the place's name (the choice label), the law's name, the default deadline of a
rights request and the default advance notice of an AI interview. The codes are stored; people see the labels.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Jurisdiction(models.TextChoices):
    CN = "cn", _("中国")
    EU = "eu", _("欧盟")
    US_IL = "us_il", _("美国伊利诺伊州")
    US_NYC = "us_nyc", _("美国纽约市")
    OTHER = "other", _("其他")


@dataclass(frozen=True)
class JurisdictionRules:
    law: Promise | str  # the place with its law, as HR picks "the applicable law"
    request_days: int  # calendar days to answer a candidate's rights request, by default
    advance_notice_days: int  # business days between an AI interview's invitation and its earliest start, by default


# PIPL answers within 15 days (Art. 50 read with the national standard GB/T 35273 §8.7), GDPR within one month
# (Art. 12(3)), AIVIA deletes within 30 days (§15); NYC Local Law 144 asks for notice 10 business days before an
# automated employment decision tool is used on a candidate.
RULES: dict[str, JurisdictionRules] = {
    Jurisdiction.CN: JurisdictionRules(law=_("中国《个人信息保护法》"), request_days=15, advance_notice_days=0),
    Jurisdiction.EU: JurisdictionRules(law=_("欧盟 GDPR"), request_days=30, advance_notice_days=0),
    Jurisdiction.US_IL: JurisdictionRules(law=_("美国伊利诺伊州 AI 视频面试法"), request_days=30, advance_notice_days=0),
    Jurisdiction.US_NYC: JurisdictionRules(law=_("美国纽约市第 144 号地方法"), request_days=30, advance_notice_days=10),
    Jurisdiction.OTHER: JurisdictionRules(law=_("其他"), request_days=30, advance_notice_days=0),
}

def rules_for(code: str) -> JurisdictionRules:
    """The rules of a stored code (an unknown or empty one: those of ``other``)."""
    return RULES.get(code) or RULES[Jurisdiction.OTHER]


def law_choices() -> list[tuple[str, Promise | str]]:
    """The choices with the law's name as the label (the privacy settings' "applicable law")."""
    return [(code, RULES[code].law) for code in Jurisdiction.values]
