"""De-identified (脱敏) export of candidates and applications for analysis: masked names, phones and
e-mails, pseudonymous ids (stable per organization, not reversible without the key), no ID numbers,
no addresses, no resume text."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io

from django.conf import settings
from django.utils.translation import gettext as _

from hirelens.candidates.models import Application
from hirelens.candidates.validation import mask_email, mask_name, mask_phone
from hirelens.core.access import require_perm
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm


def pseudonym(organization_id: int, candidate_id: int) -> str:
    digest = hmac.new(settings.BLIND_INDEX_KEY, f"export\x00{organization_id}\x00{candidate_id}".encode(), hashlib.sha256).hexdigest()
    return "C" + digest[:12]


def export_deidentified_csv(*, actor, request=None) -> bytes:
    require_perm(actor, Perm.CANDIDATES_EXPORT)
    from hirelens.candidates.access import visible_candidates

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("候选人编号"), _("姓名"), _("手机号"), _("邮箱"), _("来源"), _("技能"), _("标签"), _("职位"), _("部门"),
                     _("环节"), _("状态"), _("申请日期"), _("建档日期")])
    candidates = visible_candidates(actor=actor).prefetch_related("tags", "applications__position").order_by("pk")
    count = 0
    for candidate in candidates.iterator(chunk_size=1000):
        base = [pseudonym(candidate.organization_id, candidate.pk), mask_name(candidate.full_name), mask_phone(candidate.phone),
                mask_email(candidate.email), candidate.get_source_display(), "、".join(candidate.skills),
                "、".join(t.name for t in candidate.tags.all())]
        apps = list(candidate.applications.all()) or [None]
        for app in apps:
            if app is None:
                writer.writerow([*base, "", "", "", "", "", candidate.created_at.date().isoformat()])
            else:
                writer.writerow([*base, app.position.title, app.position.department, app.stage,
                                 Application.Status(app.status).label, app.created_at.date().isoformat(),
                                 candidate.created_at.date().isoformat()])
        count += 1
    audit_record(action=AuditEvent.Action.EXPORT, actor=actor, organization_id=actor.organization_id,
                 object_type="candidates.candidate", fields=["deidentified", f"candidates:{count}"], request=request)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
