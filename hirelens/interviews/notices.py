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
]


def ensure_platform_notices(model) -> None:
    """Create the platform notices if missing; ``model`` is ConsentNotice (or its migration state)."""
    for kind, required, zh, en in NOTICES:
        model.objects.get_or_create(organization=None, kind=kind, version=1,
                                    defaults={"text_zh": zh, "text_en": en, "required": required})
