"""Reading the designer's stage form (HTMX) into a module's settings dict (validated by modules.settings_clean).

The view picks the parser through the module's spec (``modules.settings_from_post``); nothing here branches on the module."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _int(value):
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError(_("“%(value)s”不是整数。") % {"value": value[:20]}) from None


def _words(value: str) -> list[str]:
    return [v.strip() for v in (value or "").replace("，", ",").split(",") if v.strip()]


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


# One parser per module, named by the module's spec (modules.py); each reads its partial template's fields
# (templates/workflows/modules/<module>.html).

def ai_video_from_post(post) -> dict:
    g = post.get
    rows = zip(post.getlist("q_id"), post.getlist("q_text"), post.getlist("q_prep"), post.getlist("q_answer"),
               post.getlist("q_retakes"), strict=False)
    questions = [{"id": qid or None, "text": text, "prep_seconds": _int(prep), "answer_seconds": _int(answer),
                  "retakes": _int(retakes) or 0}
                 for qid, text, prep, answer, retakes in rows if text.strip()]
    removed = set(post.getlist("q_audio_remove"))
    for q in questions:
        if q["id"] in removed:
            q["audio_asset_id"] = None
    for q in questions:
        if q["id"] is None:
            q.pop("id")
    practice = None
    if g("practice_text", "").strip():
        practice = {"text": g("practice_text"), "prep_seconds": _int(g("practice_prep")),
                    "answer_seconds": _int(g("practice_answer"))}
    return {"questions": questions, "practice": practice, "materials": g("materials", "")}


def scenario_from_post(post) -> dict:
    g = post.get
    return {"brief": g("brief", ""), "counterpart": g("counterpart", ""), "prep_seconds": _int(g("prep_seconds")),
            "answer_seconds": _int(g("answer_seconds")), "retakes": _int(g("retakes")) or 0}


def case_analysis_from_post(post) -> dict:
    g = post.get
    return {"case": g("case", ""), "answer_formats": post.getlist("answer_formats"),
            "time_limit_minutes": _int(g("time_limit_minutes")), "answer_seconds": _int(g("answer_seconds"))}


def coding_from_post(post) -> dict:
    g = post.get
    return {"mode": g("mode", "external"), "platform_url": g("platform_url", ""), "score_import": g("score_import", "upload"),
            "max_score": _int(g("max_score")) or 100, "language": g("language", ""), "task": g("task", ""),
            "starter_code": g("starter_code", ""), "time_limit_minutes": _int(g("time_limit_minutes"))}


def live_from_post(post) -> dict:
    g = post.get
    return {"duration_minutes": _int(g("duration_minutes")) or 45, "notes": g("notes", ""),
            "backup_url": g("backup_url", "").strip(), "ice_breakers": _lines(g("ice_breakers", ""))}


def questionnaire_from_post(post) -> dict:
    rows = zip(post.getlist("sq_id"), post.getlist("sq_text"), post.getlist("sq_kind"), post.getlist("sq_options"), strict=False)
    out = []
    for qid, text, kind, options in rows:
        if text.strip() or qid:
            item = {"text": text, "kind": kind or "text", "options": _words(options)}
            if qid:
                item["id"] = qid
            out.append(item)
    return {"questions": out}


def material_upload_from_post(post) -> dict:
    g = post.get
    return {"instructions": g("instructions_text", ""), "accepted_types": _words(g("accepted_types", "")),
            "max_size_mb": _int(g("max_size_mb")) or 50, "presentation_minutes": _int(g("presentation_minutes"))}
