"""De-identified (脱敏) export of candidates and applications for analysis: masked names, phones and
e-mails, pseudonymous ids (stable per organization, not reversible without the key), no ID numbers,
no addresses, no resume text."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.candidates.models import Application, Tag
from hirelens.candidates.validation import mask_email, mask_name, mask_phone
from hirelens.core.access import require_perm
from hirelens.core.audit import audit_record
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm


def pseudonym(organization_id: int, candidate_id: int) -> str:
    digest = hmac.new(settings.BLIND_INDEX_KEY, f"export\x00{organization_id}\x00{candidate_id}".encode(), hashlib.sha256).hexdigest()
    return "C" + digest[:12]


CHUNK = 1000  # candidates per query (and per piece of the streamed file)


def export_header() -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow([_("候选人编号"), _("姓名"), _("手机号"), _("邮箱"), _("来源"), _("技能"), _("标签"), _("职位"), _("部门"),
                              _("环节"), _("状态"), _("申请日期"), _("建档日期")])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_start(*, actor, request=None) -> int:
    """Check the permission and record the export (one audit entry with the number of candidates) before the first
    byte leaves; returns that number."""
    require_perm(actor, Perm.CANDIDATES_EXPORT)
    from hirelens.candidates.access import visible_candidates

    count = visible_candidates(actor=actor).count()
    audit_record(action=AuditEvent.Action.EXPORT, actor=actor, organization_id=actor.organization_id,
                 object_type="candidates.candidate", fields=["deidentified", f"candidates:{count}"], request=request)
    return count


def export_chunk(*, actor, after: int = 0, limit: int | None = None) -> tuple[bytes, int | None]:
    """The CSV rows of the next ``limit`` candidates the actor may see after id ``after`` (keyset order, so each piece
    is one short query whatever the depth, with no transaction held open between pieces) and the last id, or
    ``(b"", None)`` at the end. Three queries a piece (candidates, their tags, their applications with positions), read
    as tuples: model instances and prefetched managers cost more than the row itself."""
    require_perm(actor, Perm.CANDIDATES_EXPORT)
    from hirelens.candidates.access import visible_candidates
    from hirelens.candidates.models import Candidate

    limit = limit or CHUNK
    candidates = list(visible_candidates(actor=actor).filter(pk__gt=after).order_by("pk")
                      .values_list("pk", "organization_id", "full_name", "phone", "email", "source", "skills", "created_at")[:limit])
    if not candidates:
        return b"", None
    # the piece's id range (cheaper to build than IN over 1,000 ids; rows of candidates not in the piece are not used)
    first, last, organization_id = candidates[0][0], candidates[-1][0], actor.organization_id
    tags: dict[int, list[str]] = {}
    for cid, name in (Tag.candidates.through.objects.filter(candidate_id__gte=first, candidate_id__lte=last, tag__organization_id=organization_id)
                      .order_by("tag__name").values_list("candidate_id", "tag__name")):
        tags.setdefault(cid, []).append(name)
    apps: dict[int, list[tuple]] = {}
    for cid, *app in (Application.objects.filter(organization_id=organization_id, candidate_id__gte=first, candidate_id__lte=last)
                      .order_by("-created_at", "-pk")
                      .values_list("candidate_id", "position__title", "position__department", "stage", "status", "created_at")):
        apps.setdefault(cid, []).append(app)
    sources = {value: str(label) for value, label in Candidate.Source.choices}  # get_source_display() per row: ~0.5 ms
    statuses = {value: str(label) for value, label in Application.Status.choices}
    tz = timezone.get_current_timezone()
    out = io.StringIO()
    writer = csv.writer(out)
    for pk, candidate_org, full_name, phone, email, source, skills, created_at in candidates:
        created = created_at.astimezone(tz).date().isoformat()
        base = [pseudonym(candidate_org, pk), mask_name(full_name), mask_phone(phone), mask_email(email),
                sources.get(source, source), "、".join(skills or []), "、".join(tags.get(pk, []))]
        if pk not in apps:
            writer.writerow([*base, "", "", "", "", "", created])
        for title, department, stage, status, applied in apps.get(pk, []):
            writer.writerow([*base, title, department, stage, statuses.get(status, status), applied.astimezone(tz).date().isoformat(),
                             created])
    return out.getvalue().encode("utf-8"), candidates[-1][0]


def export_deidentified_csv(*, actor, request=None) -> bytes:
    """The whole file at once (for callers that want bytes; the page streams it: ``views.export_candidates``)."""
    export_start(actor=actor, request=request)
    parts, after = [export_header()], 0
    while True:
        piece, after = export_chunk(actor=actor, after=after)
        if after is None:
            return b"".join(parts)
        parts.append(piece)
