"""What HR sees of an answer's analysis report: labelled, localized rows built from the report's JSON.

The report (``analysis.report``, schema 1.x) carries stable codes (event types, warning codes) and numbers;
the words are chosen here, in the viewer's language. Only observable measurements are shown, never a
judgement: the page says so beside them.
"""

from __future__ import annotations

from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _

EVENT_LABELS = {
    "speech": gettext_lazy("说话"),
    "pause": gettext_lazy("停顿"),
    "keyword": gettext_lazy("关键词"),
    "face_absent": gettext_lazy("画面中没有面部"),
    "multiple_faces": gettext_lazy("画面中不止一人"),
    "look_away": gettext_lazy("视线偏离"),
    "smile": gettext_lazy("微笑"),
    "frown": gettext_lazy("皱眉"),
    "gesture": gettext_lazy("手势"),
}

# what face, expression and posture analysis produces: never shown where the face switch is off (issue 20)
FACE_EVENT_TYPES = {"face_absent", "multiple_faces", "look_away", "smile", "frown", "gesture"}
FACE_WARNINGS = {"face_absent", "multiple_faces", "no_video", "face_model_missing"}

MAX_EVENTS = 300  # a long answer's timeline is cut here (the full report stays stored)

# The answer's summary figures as evaluations (AI evidence beside the card) and the API show them.
EVIDENCE_FIELDS = ("duration_s", "speaking_time_s", "pause_count", "speech_rate_syll_per_s", "words_per_min", "chars_per_min",
                   "pitch_mean_hz")
FACIAL_FIELDS = ("face_present_ratio", "smile_count", "frown_count", "look_away_count")
# summary key -> (label, unit, decimals); a unit of "%" shows a ratio as a percentage
FIGURES = {
    "duration_s": (gettext_lazy("时长"), " s", 1),
    "speaking_time_s": (gettext_lazy("说话时间"), " s", 1),
    "pause_count": (gettext_lazy("停顿次数"), "", 0),
    "speech_rate_syll_per_s": (gettext_lazy("语速（音节/秒）"), "", 2),
    "words_per_min": (gettext_lazy("每分钟词数"), "", 0),
    "chars_per_min": (gettext_lazy("每分钟字数"), "", 0),
    "pitch_mean_hz": (gettext_lazy("平均音高"), " Hz", 0),
    "face_present_ratio": (gettext_lazy("画面中有面部"), "%", 0),
    "smile_count": (gettext_lazy("微笑次数"), "", 0),
    "frown_count": (gettext_lazy("皱眉次数"), "", 0),
    "look_away_count": (gettext_lazy("视线偏离次数"), "", 0),
}


def _warning(code: str, message: str, report: dict) -> str:
    face = report.get("face") or {}
    if code == "face_absent":
        return _("%(pct)s 的时间画面中没有面部") % {"pct": _pct(1 - (face.get("face_present_ratio") or 0.0))}
    if code == "multiple_faces":
        return _("%(pct)s 的时间画面中不止一人") % {"pct": _pct(face.get("multiple_faces_ratio") or 0.0)}
    texts = {
        "no_audio": _("录像没有声音：无法分析语音和文字。"),
        "no_video": _("允许了面部分析，但录像没有画面。"),
        "no_speech": _("没有检测到说话。"),
        "decode_errors": _("录像中有损坏的数据已被跳过；结果只涵盖能读取的部分。"),
        "truncated": _("录像不完整：只分析了能读取的部分。"),
        "transcript_model_missing": _("没有配置这种语言的语音识别模型：没有文字记录。"),
        "language_assumed": _("只配置了英文语音识别模型：无法识别语言，按英文处理。"),
        "face_model_missing": _("找不到面部分析模型：只分析了语音。"),
    }
    return texts.get(code, message)


def _pct(x: float) -> str:
    return f"{round(100 * max(0.0, min(1.0, x)))}%"


def _num(x, digits: int = 1) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


RATE_SOURCES = {
    "transcript": gettext_lazy("按转写计数"),
    "acoustic": gettext_lazy("声学估计"),
}


def rate_source_text(summary: dict) -> str | None:
    """How the speech rate was measured, in the reader's language; None for reports made before the field existed
    (or a method this version does not know: nothing is better than a raw code)."""
    label = RATE_SOURCES.get((summary or {}).get("speech_rate_source"))
    return str(label) if label else None


def language_name(code: str | None) -> str | None:
    """A transcript's language in the reader's language (Whisper's codes: "zh", "en", "ja", ...); never the code."""
    if not code:
        return None
    names = {"zh": _("中文"), "en": _("英文"), "yue": _("粤语")}
    if code in names:
        return names[code]
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return _("其他语言")


def transcript_language(report: dict) -> str | None:
    """The transcript's language when there is a transcript: the one Whisper detected or was told."""
    transcript = (report or {}).get("transcript") or {}
    if not transcript.get("text"):
        return None
    return language_name(transcript.get("language") or ((report or {}).get("summary") or {}).get("language"))


def keyword_rows(summary: dict) -> list[dict]:
    """Each keyword with its count, or not applicable when the answer is in a language the keyword is not
    (a Chinese keyword on an English answer): ``{"keyword", "count", "applicable", "text"}``. Reports made
    before ``keywords_not_applicable`` existed have counts only."""
    summary = summary or {}
    counts = summary.get("keywords") or {}
    not_applicable = summary.get("keywords_not_applicable") or []
    if isinstance(not_applicable, dict):
        not_applicable = list(not_applicable)
    skipped = set(not_applicable)
    rows = [{"keyword": k, "count": v, "applicable": True, "text": f"{k} × {v}"} for k, v in counts.items() if k not in skipped]
    for k in not_applicable:
        rows.append({"keyword": k, "count": None, "applicable": False,
                     "text": _("%(keyword)s：不适用") % {"keyword": k}})
    return rows


def without_face(report: dict | None) -> dict | None:
    """The report with every face, expression and posture item removed (the face switch is off, or no consent)."""
    if not report:
        return report
    summary = {k: v for k, v in (report.get("summary") or {}).items()
               if not k.startswith(("face_", "smile", "frown", "look_away", "multiple_faces", "gesture", "posture"))}
    return {**{k: v for k, v in report.items() if k not in ("face", "posture")}, "summary": summary,
            "events": [e for e in report.get("events") or [] if e.get("type") not in FACE_EVENT_TYPES],
            "warnings": [w for w in report.get("warnings") or [] if w.get("code") not in FACE_WARNINGS]}


def present(report: dict | None, *, facial: bool = True) -> dict | None:
    """Rows for the template: ``speech``, ``face``, ``posture`` (lists of (label, value)), ``warnings``,
    ``events`` (with a localized ``label``), ``event_types``, ``transcript``, ``models``. ``facial`` False: nothing
    of face, expression or posture (the position's face switch is off)."""
    if not report:
        return None
    if not facial:
        report = without_face(report)
    s = report.get("summary") or {}
    sp = report.get("speech") or {}
    speech = [
        (_("时长"), f"{_num(s.get('duration_s'))} s"),
        (_("说话时间"), f"{_num(s.get('speaking_time_s'))} s"),
        (_("停顿次数"), _("%(n)s 次，平均 %(mean)s s，最长 %(longest)s s") % {
            "n": s.get("pause_count", 0), "mean": _num(sp.get("pause_mean_s")), "longest": _num(sp.get("pause_longest_s"))}),
        (_("语速（音节/秒）"), _("%(rate)s（不含停顿：%(art)s）") % {
            "rate": _num(s.get("speech_rate_syll_per_s"), 2), "art": _num(s.get("articulation_rate_syll_per_s"), 2)}),
    ]
    source = rate_source_text(s)
    if source:
        speech.append((_("语速计算方法"), source))
    if s.get("words_per_min") is not None:
        speech.append((_("每分钟词数"), _num(s["words_per_min"], 0)))
    if s.get("chars_per_min") is not None:
        speech.append((_("每分钟字数"), _num(s["chars_per_min"], 0)))
    if s.get("pitch_mean_hz") is not None:
        speech.append((_("音高"), _("平均 %(hz)s Hz，变化 %(st)s 个半音") % {
            "hz": _num(s["pitch_mean_hz"], 0), "st": _num(s.get("pitch_sd_semitones"))}))
    language = transcript_language(report)
    if language:
        speech.append((_("转写语言"), language))
    face = None
    if s.get("face_present_ratio") is not None:
        f = report.get("face") or {}
        face = [
            (_("画面中有面部"), _pct(s["face_present_ratio"])),
            (_("微笑"), _("%(n)s 次，共 %(t)s s") % {"n": s.get("smile_count", 0), "t": _num(f.get("smile_time_s"))}),
            (_("皱眉"), _("%(n)s 次，共 %(t)s s") % {"n": s.get("frown_count", 0), "t": _num(f.get("frown_time_s"))}),
            (_("视线偏离"), _("%(n)s 次，共 %(t)s s") % {"n": s.get("look_away_count", 0), "t": _num(f.get("look_away_time_s"))}),
        ]
        if f.get("multiple_faces_ratio"):
            face.append((_("画面中不止一人"), _pct(f["multiple_faces_ratio"])))
    posture = None
    p = report.get("posture")
    if p and p.get("shoulder_tilt_mean_deg") is not None:
        posture = [
            (_("肩部倾斜"), _("平均 %(mean)s°，波动 %(sd)s°") % {"mean": _num(p["shoulder_tilt_mean_deg"]),
                                                          "sd": _num(p.get("shoulder_tilt_sd_deg"))}),
            (_("前倾 / 后仰"), f"{_pct(p.get('lean_in_ratio') or 0)} / {_pct(p.get('lean_back_ratio') or 0)}"),
            (_("手部可见"), _pct(p.get("hands_visible_ratio") or 0)),
            (_("手势"), _("%(n)s 次，共 %(t)s s") % {"n": p.get("gesture_count", 0), "t": _num(p.get("gesture_time_s"))}),
        ]
    elif p:
        posture = [(_("上身可见"), _pct(p.get("body_visible_ratio") or 0))]
    events = []
    for e in (report.get("events") or [])[:MAX_EVENTS]:
        label = str(EVENT_LABELS.get(e.get("type"), e.get("type")))
        detail = (e.get("detail") or {}).get("keyword", "")
        events.append({**e, "label": label, "keyword": detail})
    types = sorted({(e["type"], e["label"]) for e in events}, key=lambda t: list(EVENT_LABELS).index(t[0]) if t[0] in EVENT_LABELS else 99)
    transcript = (report.get("transcript") or {}).get("text") or ""
    models = "; ".join(f"{m.get('name')} {m.get('version', '')}".strip() for m in report.get("models") or [])
    return {
        "speech": speech,
        "keywords": keyword_rows(s),
        "keywords_not_applicable": any(not k["applicable"] for k in keyword_rows(s)),
        "face": face,
        "posture": posture,
        "warnings": [_warning(w.get("code", ""), w.get("message", ""), report) for w in report.get("warnings") or []],
        "events": events,
        "events_cut": len(report.get("events") or []) > MAX_EVENTS,
        "event_types": types,
        "transcript": transcript,
        "models": models,
    }


def analysis_error_text(answer) -> str:
    """Why an answer's analysis failed or is being retried, in the reader's language, from its stable code
    (the stored ``analysis_error`` is the technical detail: English, exception names, for operators)."""
    code = answer.analysis_error_code
    if code == "gave_up":
        return _("分析多次中断或失败（共 %(n)d 次尝试），已停止。请让候选人重新作答或联系管理员。") % {"n": answer.analysis_attempts}
    texts = {
        "retrying": _("分析时出错，将自动重试。"),
        "failed": _("分析失败，已停止重试。请联系管理员。"),
        "not_found": _("找不到录像文件。"),
        "empty": _("录像是空的：没有可分析的内容。"),
        "unsupported": _("录像格式无法读取。"),
        "corrupt": _("录像已损坏，无法读取。"),
        "no_streams": _("录像中没有声音也没有画面。"),
        "model_missing": _("找不到分析模型：请管理员检查模型配置。"),
        "timeout": _("分析超时，已停止。"),
    }
    if code in texts:
        return texts[code]
    return _("分析失败。") if (code or answer.analysis_error) else ""


def candidate_signals(report: dict | None) -> dict | None:
    """What the candidate may see of the analysis of their answer (issue 20): the neutral signals, each with what it
    means in plain words, and the transcript. No score, no verdict, nothing of the face."""
    if not report:
        return None
    s = report.get("summary") or {}
    sp = report.get("speech") or {}
    rows = [
        {"label": _("说话时间"), "value": f"{_num(s.get('speaking_time_s'))} s",
         "meaning": _("录像中您在说话的总时长（不含停顿）。")},
        {"label": _("语速"), "value": _("每秒 %(rate)s 个音节") % {"rate": _num(s.get("speech_rate_syll_per_s"), 2)},
         "meaning": _("您说话的快慢。语速没有对错，只帮助面试官回看录像。")},
        {"label": _("停顿"), "value": _("%(n)s 次，最长 %(longest)s s") % {"n": s.get("pause_count", 0),
                                                                      "longest": _num(sp.get("pause_longest_s"))},
         "meaning": _("说话之间较长的安静。思考时停顿很正常，它不代表好或坏。")},
    ]
    keywords = [k["keyword"] for k in keyword_rows(s) if k["applicable"] and k["count"]]
    rows.append({"label": _("提到的关键词"), "value": "、".join(keywords) if keywords else _("无"),
                 "meaning": _("职位要求中列出的词语在您回答中出现的情况，面试官据此快速找到相关的内容。")})
    return {"rows": rows, "transcript": (report.get("transcript") or {}).get("text") or ""}
