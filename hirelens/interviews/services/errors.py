"""How the answer services refuse: a conflict with what is stored (409) or an unusable recording (422)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class UploadConflict(ValidationError):
    """The request contradicts what is already stored (HTTP 409)."""


class UnusableRecording(ValidationError):
    """The uploaded answer is whole but cannot be used (HTTP 422, ``code`` says why): record it again."""


def unusable_message(code: str) -> str:
    return {
        "not_media": _("上传的文件不是可识别的音视频，请重新录制这道题（不占重录次数）。"),
        "no_audio": _("录制内容中没有可识别的声音，请检查麦克风后重新录制这道题（不占重录次数）。"),
        "too_short": _("录制内容不足 1 秒，请重新录制这道题（不占重录次数）。"),
        "parts_differ": _("中断前后录制的格式不一致（例如换了摄像头或浏览器），无法合成一段回答，请重新录制这道题（不占重录次数）。"),
    }[code]
