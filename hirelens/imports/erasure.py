"""Erasure for imports (``hirelens.core.erasure``): a spreadsheet in the sandbox holds many people's rows, so the
person's rows are cut out of it rather than the batch deleted. The stored file is rewritten as a UTF-8 CSV without
those rows (the old file is deleted after commit), the encrypted preview loses them; the report keeps row numbers,
statuses and issue codes only, never values."""

from __future__ import annotations

import csv
import io
import json

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from .models import ImportBatch
from .tables import read_table


def _cell(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value if value is not None else "")


def erase(ctx) -> None:
    if not ctx.values:
        return
    for batch in ImportBatch.objects.filter(organization_id=ctx.organization_id).exclude(file=""):
        try:
            with batch.file.open("rb") as handle:
                table = read_table(handle.read())
        except (OSError, ValidationError):
            continue
        keep = [row for row in table.rows if not ctx.matches(" ".join(_cell(v) for v in row))]
        preview = json.loads(batch.preview_json) if batch.preview_json else []
        kept_preview = [r for r in preview if not ctx.matches(json.dumps(r, ensure_ascii=False))]
        if len(keep) == len(table.rows) and len(kept_preview) == len(preview):
            continue
        ctx.counts["imports.row"] += len(table.rows) - len(keep)
        if len(keep) != len(table.rows):
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(table.headers)
            writer.writerows([[_cell(v) for v in row] for row in keep])
            ctx.files.add(batch.file.name)
            batch.file.save("import.bin", ContentFile(out.getvalue().encode("utf-8")), save=False)
            batch.file_kind, batch.encoding, batch.row_count = "csv", "utf-8", len(keep)
        batch.preview_json = json.dumps(kept_preview, ensure_ascii=False) if preview else ""
        batch.save(update_fields=["file", "file_kind", "encoding", "row_count", "preview_json", "updated_at"])
