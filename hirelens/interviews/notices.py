"""The platform's consent notices, version 1 (organizations may add their own versions)."""

NOTICES = [
    ("recording", True,
     "本次面试将录制您的视频和声音，录像加密保存，仅招聘方有权限的人员可以查看，并在保存期限后删除。您可以随时申请导出或删除。",
     "This interview records your video and voice. Recordings are stored encrypted, seen only by authorised recruiting staff, "
     "and deleted after the retention period. You may ask for an export or deletion at any time."),
    ("ai_analysis", True,
     "系统会分析您的语音和文字记录（如语速、停顿、提到的关键词），作为面试官的参考证据。AI 不会单独做出录用或淘汰的决定，每个决定都由人做出。",
     "The system analyses your voice and transcript (e.g. speaking rate, pauses, keywords you mention) as evidence for the "
     "interviewers. AI never decides alone: every hiring decision is made by a person."),
    ("biometric", False,
     "（可选）分析视频中的面部和姿态信号（如是否看向镜头、微笑次数）。不同意不会影响您的面试，届时只分析语音和文字。",
     "(Optional) Analyse facial and posture signals in the video (e.g. looking at the camera, smiles). Declining does not "
     "affect your interview: only voice and transcript are analysed then."),
    # What the invitation says before the interview (issue 20; AIVIA §5, NYC LL144, PIPL Art. 17/24): not a consent box.
    ("invitation_ai", False,
     "本次面试使用AI辅助分析：系统会测量您回答的语速、停顿和提到的关键词并生成文字记录，供面试官参考；AI 不会单独做出决定，"
     "每个决定都由人做出。您可以选择不使用AI分析（只由面试官观看录像评估），或申请真人面试、延长作答时间、以文字作答等便利安排，"
     "不会因此受到不利影响。",
     "This interview uses AI-assisted analysis: the system measures the speaking rate, pauses and keywords of your answers "
     "and makes a transcript, as evidence for the interviewers; AI never decides alone, every decision is made by a person. "
     "You may choose no AI analysis (interviewers review your recordings themselves), or ask for a live interview, extra "
     "time, text answers or another accommodation, without any disadvantage."),
]
# Later platform versions (kind, version, zh, en): the same facts in fewer words (issue 19's two minutes: the consent
# step was the longest read before the first answer). Version 1 stays (candidates accepted it; their records name it);
# a candidate now reads the newest version unless their organization wrote its own.
REVISIONS = [
    ("recording", 2,
     "本次面试将录制您的视频和声音。录像加密保存，仅有权限的招聘人员可看，到期删除；您可随时申请导出或删除。",
     "This interview records your video and voice. Recordings are stored encrypted, seen only by authorised recruiting "
     "staff and deleted after the retention period; you may ask for an export or deletion at any time."),
    ("ai_analysis", 2,
     "系统会分析您的语音和文字记录（语速、停顿、关键词），仅供面试官参考；录用与否都由人决定，AI 不会单独决定。",
     "The system analyses your voice and transcript (speaking rate, pauses, keywords) for the interviewers only; every "
     "hiring decision is made by a person, never by AI alone."),
]
# the notices a candidate accepts or declines on the consent step (the invitation's notice is read, not accepted)
CONSENT_KINDS = ("recording", "ai_analysis", "biometric")


def notices_in_order(notices) -> list:
    """Consent notices (objects with ``kind``) in the order a candidate reads them: recording, AI analysis,
    biometric (this module's order), then any other kind."""
    order = {kind: i for i, (kind, *_rest) in enumerate(NOTICES)}
    return sorted(notices, key=lambda notice: order.get(notice.kind, len(order)))


def ensure_platform_notices(model) -> None:
    """Create the platform notices (every version) if missing; ``model`` is ConsentNotice (or its migration state)."""
    required_of = {}
    for kind, required, zh, en in NOTICES:
        required_of[kind] = required
        model.objects.get_or_create(organization=None, kind=kind, version=1,
                                    defaults={"text_zh": zh, "text_en": en, "required": required})
    for kind, version, zh, en in REVISIONS:
        model.objects.get_or_create(organization=None, kind=kind, version=version,
                                    defaults={"text_zh": zh, "text_en": en, "required": required_of[kind]})


# --- What an invitation tells the candidate (issue 16 §4) ---------------------------------------

# A few zones by their everyday name; any other zone is named by its city ("Lisbon time" / "Lisbon时间").
_ZONE_WORDS = {
    "Asia/Shanghai": ("北京时间", "Beijing time"), "Asia/Chongqing": ("北京时间", "Beijing time"),
    "Asia/Hong_Kong": ("香港时间", "Hong Kong time"), "Asia/Taipei": ("台北时间", "Taipei time"),
    "Asia/Singapore": ("新加坡时间", "Singapore time"), "Asia/Tokyo": ("东京时间", "Tokyo time"),
    "Europe/London": ("伦敦时间", "London time"), "Europe/Paris": ("巴黎时间", "Paris time"),
    "Europe/Berlin": ("柏林时间", "Berlin time"), "America/New_York": ("纽约时间", "New York time"),
    "America/Los_Angeles": ("洛杉矶时间", "Los Angeles time"), "UTC": ("协调世界时", "UTC"),
}


def zone_words(zone_name: str, language: str) -> str:
    """The zone named in words ("北京时间" / "Beijing time"). Uses the scheduling app's ``zone_label`` when it
    offers one (one naming rule for the whole product), else this short table, else the IANA city."""
    english = language.startswith("en")
    try:
        from hirelens.core.timezones import zone_label  # added with the time-zone picker (issue 16 §4)
    except ImportError:
        zone_label = None
    if zone_label is not None:
        try:
            return str(zone_label(zone_name, "en" if english else "zh-hans"))
        except Exception:  # noqa: BLE001 - a helper that refuses this zone falls back to the table below
            pass
    zh, en = _ZONE_WORDS.get(zone_name, (None, None))
    if zh is None:
        city = zone_name.rsplit("/", 1)[-1].replace("_", " ")
        zh, en = f"{city}时间", f"{city} time"
    return en if english else zh


def deadline_text(moment, zone_name: str, language: str) -> str:
    """'2026年12月8日（周二）23:59 北京时间（UTC+08:00）' / 'Tue 8 Dec 2026, 23:59 Beijing time (UTC+08:00)'."""
    from zoneinfo import ZoneInfo

    try:
        zone = ZoneInfo(zone_name)
    except Exception:  # noqa: BLE001 - an unknown name: the platform's default zone
        zone_name, zone = "Asia/Shanghai", ZoneInfo("Asia/Shanghai")
    local = moment.astimezone(zone)
    raw = local.strftime("%z")
    offset = f"UTC{raw[:3]}:{raw[3:]}"
    words = zone_words(zone_name, language)
    if language.startswith("en"):
        return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {words} ({offset})"
    weekdays = "一二三四五六日"
    return f"{local.year}年{local.month}月{local.day}日（周{weekdays[local.weekday()]}）{local:%H:%M} {words}（{offset}）"


def notice_text(notices: dict, *, facial_enabled: bool, language: str, choice_link: str = "") -> str:
    """What is recorded and analysed, from the organization's current consent notices: recording and AI analysis,
    face analysis only where the position has it enabled, then the invitation's AI notice (that AI is used, what it
    measures, how, and how to choose the alternative) with the link to that choice."""
    english = language.startswith("en")
    parts = []
    for kind in ("recording", "ai_analysis", "biometric", "invitation_ai"):
        notice = notices.get(kind)
        if notice is None or (kind == "biometric" and not facial_enabled):
            continue
        parts.append(notice.text_en if english else notice.text_zh)
    if choice_link:
        parts.append(f"Choose here: {choice_link}" if english else f"在此选择：{choice_link}")
    return " ".join(parts)
