"""Prepared audio for AI-video questions (a recruiter's recorded question), stored encrypted."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hirelens.accounts.models import User
from hirelens.core.access import require_perm
from hirelens.core.roles import Perm

from ..models import Stage, StageAsset
from ..modules import module_spec, settings_clean

MAX_AUDIO_BYTES = 10 * 1024 * 1024


def sniff_audio(head: bytes) -> str | None:
    """The audio container from its first bytes (never trust the browser's content type)."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if head[:4] == b"OggS":
        return "audio/ogg"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "audio/webm"
    if head[4:8] == b"ftyp":
        return "audio/mp4"
    return None


@transaction.atomic
def question_audio_attach(*, actor: User, stage: Stage, question_id: str, upload) -> StageAsset:
    require_perm(actor, Perm.POSITIONS_MANAGE)
    if stage.organization_id != actor.organization_id:
        raise ValidationError(_("只能操作本组织的数据。"))
    if not stage.version.is_draft:
        raise ValidationError(_("已发布的版本不能修改，请编辑草稿后重新发布。"))
    if not module_spec(stage.module).question_audio:
        raise ValidationError(_("只有 AI视频面试 环节的题目可以附带录音。"))
    questions = stage.settings.get("questions", [])
    question = next((q for q in questions if q.get("id") == question_id), None)
    if question is None:
        raise ValidationError(_("找不到这道题，请先保存题目。"))
    if upload.size > MAX_AUDIO_BYTES:
        raise ValidationError(_("录音文件不能超过 10 MB。"))
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_audio(head)
    if content_type is None:
        raise ValidationError(_("不支持的录音格式：请上传 MP3、M4A、WAV、OGG 或 WebM。"))
    asset = StageAsset(organization_id=stage.organization_id, stage_key=stage.key, name=upload.name[:200], content_type=content_type)
    asset.file.save(f"org{stage.organization_id}.audio", upload, save=False)
    asset.save()
    question["audio_asset_id"] = asset.pk
    stage.settings = settings_clean(stage.module, stage.settings)
    stage.save(update_fields=["settings", "updated_at"])
    return asset
