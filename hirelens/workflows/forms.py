"""Typed input for workflows: the pages' forms (below) and the designer's per-module settings parsers.

The stage form (HTMX) is read into a module's settings dict (validated by ``modules.settings_clean``); ``StageForm``
picks the parser through the module's spec (``modules.settings_from_post``); nothing here branches on the module."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hirelens.core.forms import IdListField
from hirelens.core.params import MAX_ID
from hirelens.core.roles import AssignmentRole


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


# --- typed input at the edge (issue 23 §4): one Form per POST of the designer, the board and the progress page -----
# The pages bind these; the API binds the same forms from its Schemas where it does the same write (``api._bound``),
# so a malformed value is refused by one rule with one message. The services take the typed values and keep their
# own checks, so a direct call stays safe.

WHOLE_NUMBER = gettext_lazy("请填写整数。")
SCORE_NOT_A_NUMBER = gettext_lazy("得分必须是数字。")
BAD_ORDER = gettext_lazy("环节顺序无效。")
BAD_ROLE = gettext_lazy("无效的角色。")


class NextForm(forms.Form):
    """``next``: where a card's form goes back to (checked against the host by the view)."""

    next = forms.CharField(required=False, max_length=2000, strip=True)


class ProcessNewForm(forms.Form):
    name = forms.CharField(required=False, max_length=200)
    starter = forms.CharField(required=False, max_length=32)  # an unknown starter: the service's message


class StageAddForm(forms.Form):
    """A module dropped on the process at ``index`` (blank: at the end; past the end: the service puts it last)."""

    module = forms.CharField(required=False, max_length=32)  # an unknown module: the service's message
    index = forms.IntegerField(required=False, min_value=0, max_value=MAX_ID, error_messages={"invalid": WHOLE_NUMBER})


class StagesReorderForm(forms.Form):
    stage = IdListField(required=False, error_messages={"invalid": BAD_ORDER})


class StageForm(forms.Form):
    """The designer's stage form: name, instructions, the module's settings (its parser in this module, picked
    through the module's spec), who may see and score it, and prepared audio per question.

    ``cleaned_data["settings"]`` is the parsed (not yet cleaned) settings dict; ``view_users`` / ``score_users`` are
    members of ``members`` (an id that is not one is dropped, as an unknown choice is)."""

    title = forms.CharField(required=False, max_length=200)
    instructions = forms.CharField(required=False)
    view_roles = forms.MultipleChoiceField(required=False, choices=AssignmentRole.choices,
                                           error_messages={"invalid_choice": BAD_ROLE})
    score_roles = forms.MultipleChoiceField(required=False, choices=AssignmentRole.choices,
                                            error_messages={"invalid_choice": BAD_ROLE})
    view_users = IdListField(required=False, drop_invalid=True)
    score_users = IdListField(required=False, drop_invalid=True)

    def __init__(self, data=None, files=None, *, module: str, members, **kwargs):
        super().__init__(data, files, **kwargs)
        self.module = module
        self.members = {m.pk: m for m in members}

    def clean_view_users(self):
        return [self.members[i] for i in self.cleaned_data["view_users"] if i in self.members]

    def clean_score_users(self):
        return [self.members[i] for i in self.cleaned_data["score_users"] if i in self.members]

    def clean(self):
        from .modules import settings_from_post  # modules.py names this module's parsers

        cleaned = super().clean()
        try:
            cleaned["settings"] = settings_from_post(self.module, self.data)
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned

    def audio_uploads(self) -> list[tuple[str, object]]:
        """(question id, uploaded file) for each saved question given a recording (``q_audio_<row>``)."""
        out = []
        for index, question_id in enumerate(self.data.getlist("q_id") if hasattr(self.data, "getlist") else []):
            upload = self.files.get(f"q_audio_{index}")
            if upload is not None and question_id:
                out.append((question_id, upload))
        return out


class PublishForm(forms.Form):
    note = forms.CharField(required=False, max_length=300)


class CloneForm(forms.Form):
    """The position the copy belongs to (blank: the library; the view fetches it through its access rule) and its
    name (blank: the source's)."""

    position = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, error_messages={"invalid": WHOLE_NUMBER})
    name = forms.CharField(required=False, max_length=200)


class StartForm(NextForm):
    reason = forms.CharField(required=False, max_length=2000)  # blank: "started process vN" (the service)


class MoveForm(NextForm):
    """A move button on a card or the progress page; ``reject`` is a decision and carries its own fields."""

    action = forms.CharField(max_length=16)
    reason = forms.CharField(required=False, max_length=4000)  # a blank reason: the service's message
    without_evaluation = forms.BooleanField(required=False)
    without_evaluation_reason = forms.CharField(required=False, max_length=2000)


class MoveToForm(forms.Form):
    """The board's drag and drop (and the API's move-to): the stage's key in the application's own version."""

    stage_key = forms.CharField(required=False, max_length=32)
    reason = forms.CharField(required=False, max_length=2000)


class ScoreForm(forms.Form):
    """A stage score: a number from 0 to the stage's ``max_score`` (the service rounds it to cents and checks again)."""

    score = forms.DecimalField(error_messages={"invalid": SCORE_NOT_A_NUMBER, "required": SCORE_NOT_A_NUMBER})
    comment = forms.CharField(required=False)
    external_ref = forms.CharField(required=False, strip=False)  # the service keeps its first 200 characters

    def __init__(self, data=None, *args, max_score: Decimal | None = None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.max_score = max_score

    def clean_score(self) -> Decimal:
        score = self.cleaned_data["score"]
        if self.max_score is not None and not (0 <= score <= self.max_score):
            raise ValidationError(_("得分必须在 0 到 %(max)s 之间。") % {"max": self.max_score}, code="out_of_range")
        return score


class ScoreImportForm(forms.Form):
    file = forms.FileField(allow_empty_file=True, error_messages={"required": gettext_lazy("请选择 CSV 文件。"),
                                           "invalid": gettext_lazy("请选择 CSV 文件。")})
