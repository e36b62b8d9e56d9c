from __future__ import annotations

import json
from functools import partial

from asgiref.sync import sync_to_async
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hirelens.candidates.models import Candidate
from hirelens.core.audit import audit_record
from hirelens.core.flash import flash_errors
from hirelens.core.models import AuditEvent
from hirelens.core.roles import Perm, user_can

from . import services
from .access import access_batch, visible_batches
from .export import export_chunk, export_header, export_start
from .report import report_rows
from .validation import FIELDS


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV 或 XLSX 文件"), allow_empty_file=True)


class MappingForm(forms.Form):
    """``col<i>``: the field each column of the file fills (blank: ignored); ``services.import_batch_validate`` keeps
    only known fields and checks that one column is the name and no field is mapped twice."""

    def __init__(self, data=None, *, columns: int, **kwargs):
        super().__init__(data, **kwargs)
        for i in range(columns):
            self.fields[f"col{i}"] = forms.CharField(required=False, max_length=64)

    def mapping(self) -> dict[str, str]:
        return {str(i): self.cleaned_data[f"col{i}"] for i in range(len(self.fields)) if self.cleaned_data.get(f"col{i}")}


def _require(request, perm):
    if not user_can(request.user, perm):
        raise Http404


@login_required
def batch_index(request):
    _require(request, Perm.CANDIDATES_IMPORT)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.import_batch_upload(actor=request.user, upload=form.cleaned_data["file"], request=request)
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            return redirect("imports:detail", batch.pk)
    # the uploader's name comes with the batch (one query for the list); the report and the encrypted preview are not shown
    batches = visible_batches(actor=request.user).select_related("created_by").defer("report", "preview_json")[:50]
    return render(request, "imports/index.html", {"form": form, "batches": batches,
                                                  "can_export": user_can(request.user, Perm.CANDIDATES_EXPORT)})


@login_required
def batch_detail(request, batch_id: int):
    batch = access_batch(actor=request.user, batch_id=batch_id)
    preview = json.loads(batch.preview_json) if batch.preview_json else []
    sources = dict(Candidate.Source.choices)
    for row in preview:  # the stored row holds the source's code (referral); the reader sees its label
        row["source"] = sources.get(row.get("source"), row.get("source", ""))
    if preview:
        audit_record(action=AuditEvent.Action.READ, actor=request.user, obj=batch, fields=["preview"], request=request)
    columns = [(str(i), header, batch.mapping.get(str(i), "")) for i, header in enumerate(batch.headers)]
    return render(request, "imports/detail.html", {
        "batch": batch, "columns": columns, "fields": list(FIELDS.items()), "preview": preview,
        "report_rows": report_rows(batch.report.get("rows", [])[:200]), "report_total": len(batch.report.get("rows", [])),
    })


@login_required
@require_POST
def batch_map(request, batch_id: int):
    batch = access_batch(actor=request.user, batch_id=batch_id)
    form = MappingForm(request.POST, columns=len(batch.headers))
    form.is_valid()  # a value that is no field's name (or too long to be one) counts as "ignored", as before
    try:
        services.import_batch_validate(actor=request.user, batch=batch, mapping=form.mapping())
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("imports:detail", batch.pk)


@login_required
@require_POST
def batch_commit(request, batch_id: int):
    batch = access_batch(actor=request.user, batch_id=batch_id)
    try:
        batch = services.import_batch_commit(actor=request.user, batch=batch, request=request)
        messages.success(request, _("已导入 %(n)s 位候选人。") % {"n": batch.created_count})
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("imports:detail", batch.pk)


@login_required
@require_POST
def batch_discard(request, batch_id: int):
    batch = access_batch(actor=request.user, batch_id=batch_id)
    try:
        services.import_batch_discard(actor=request.user, batch=batch)
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("imports:detail", batch.pk)


@login_required
def batch_report(request, batch_id: int):
    batch = access_batch(actor=request.user, batch_id=batch_id)
    response = HttpResponse(services.import_report_csv(batch=batch), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-report.csv"'
    return response


@login_required
def export_candidates(request):
    """Every candidate, streamed by pieces of 1,000 (``export.export_chunk``): the first bytes leave at once and memory
    stays flat at any size. Under ASGI the pieces come from an async iterator (Django would read a sync one whole
    before sending the first byte), each piece's queries in the request's worker thread."""
    _require(request, Perm.CANDIDATES_EXPORT)
    actor = request.user
    export_start(actor=actor, request=request)
    piece = partial(export_chunk, actor=actor)

    def pieces():
        yield export_header()
        after = 0
        while (found := piece(after=after))[1] is not None:
            yield found[0]
            after = found[1]

    async def async_pieces():
        yield export_header()
        after, fetch = 0, sync_to_async(piece)
        while (found := await fetch(after=after))[1] is not None:
            yield found[0]
            after = found[1]

    stream = async_pieces() if isinstance(request, ASGIRequest) else pieces()
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="candidates-deidentified.csv"'
    return response
