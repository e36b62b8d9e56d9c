"""The question plan of an AI interview: from the process's AI-video stage, or typed by HR."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hirelens.workflows.modules import module_spec

from ..models import InterviewSession
from .sessions import PRACTICE_DEFAULTS_ZH, practice_default


def plan_from_stage(stage) -> dict:
    """The question plan of an AI-video stage (workflows' settings format) in this app's snapshot format."""
    if stage is None or not module_spec(stage.module).has_ai_plan:
        raise ValidationError(_("当前环节不是AI视频面试。"))
    settings_ = stage.settings or {}
    questions = [{"text": q.get("text", ""), "prep_s": q.get("prep_seconds") or 0, "answer_s": q.get("answer_seconds") or 120,
                  "retakes": q.get("retakes", 0)} for q in settings_.get("questions", [])]
    practice = (settings_.get("practice") or {}).get("text", "")
    return {"questions": questions, "practice_question": practice, "title": stage.title, "stage": stage}


def application_ai_stage(application):
    """The application's current stage when it is an AI-video stage, else None."""
    progress = getattr(application, "progress", None)
    stage = getattr(progress, "stage", None) if progress is not None else None
    return stage if stage is not None and module_spec(stage.module).has_ai_plan else None


def stage_materials(stage) -> str:
    """What the candidate is asked to prepare, as the AI-video stage's settings say (one item a line)."""
    return ((stage.settings or {}).get("materials") or "") if stage is not None else ""


@dataclass(frozen=True)
class SendPlan:
    """What the "send an AI interview" page starts from: the application's AI-video stage and its question plan (both
    None when the current stage is not one), the stage's materials, and the prefill of HR's own-questions form."""

    stage: object | None
    plan: dict | None
    materials: str
    initial: dict


def send_plan(application, language: str) -> SendPlan:
    """The plan of the application's current AI-video stage, and the own-questions form prefilled from it (the first
    question's times); the default practice question follows the interview's ``language``."""
    stage = application_ai_stage(application)
    plan = plan_from_stage(stage) if stage is not None else None
    materials = stage_materials(stage)
    initial = {"materials": materials}
    if plan and plan["questions"]:
        first = plan["questions"][0]
        initial.update({"questions": "\n".join(q["text"] for q in plan["questions"]), "practice_question": plan["practice_question"],
                        "prep_s": first["prep_s"], "answer_s": first["answer_s"], "retakes": first["retakes"]})
    if "practice_question" not in initial or (plan and plan["practice_question"].strip() in PRACTICE_DEFAULTS_ZH):
        initial["practice_question"] = practice_default(language)
    return SendPlan(stage=stage, plan=plan, materials=materials, initial={**initial, "language": language})


def send_options_from_stage(stage, *, language: str, valid_days: int | None = None, answer_language: str = "",
                            materials: str | None = None, default_practice_follows_language: bool = False) -> dict:
    """``session_send``'s options for the process's own questions, each with its own times (W1), and its stage
    permissions (W2). Refused (``ValidationError``) when ``stage`` is not an AI-video stage. ``materials`` None: the
    stage's. The page and the API send through this. The stage's practice question is kept as written (an English
    interview reads a Chinese default in English: ``session_create``); the API, with
    ``default_practice_follows_language``, replaces a Chinese default by ``language``'s own, as it always did."""
    plan = plan_from_stage(stage)
    practice = plan["practice_question"]
    if default_practice_follows_language and practice.strip() in PRACTICE_DEFAULTS_ZH:
        practice = practice_default(language)
    return {"questions": plan["questions"], "practice_question": practice, "title": plan["title"], "stage": stage,
            "valid_days": valid_days or 7, "language": language,
            "answer_language": answer_language or InterviewSession.AnswerLanguage.AUTO,
            "materials": stage_materials(stage) if materials is None else materials}


def send_options_from_form(data: dict, *, language: str) -> dict:
    """``session_send``'s options for HR's own questions (one a line, all with the same times)."""
    return {
        "questions": [{"text": line.strip(), "prep_s": data["prep_s"], "answer_s": data["answer_s"], "retakes": data["retakes"]}
                      for line in data["questions"].splitlines() if line.strip()],
        "practice_question": data["practice_question"], "valid_days": data["valid_days"],
        "extra_prep_s": data["extra_prep_s"], "text_answers_allowed": data["text_answers_allowed"],
        "materials": data["materials"], "language": data["language"] or language,
        "answer_language": data["answer_language"] or InterviewSession.AnswerLanguage.AUTO,
    }
