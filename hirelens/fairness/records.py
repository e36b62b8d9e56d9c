"""The personal-information impact assessment (PIPL Art. 55–56, EU AI Act Art. 26): its text, filled from the
organization's settings and from what the product actually runs, in the language of whoever saves it."""

from __future__ import annotations

from importlib import metadata

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hirelens.fairness.models import PIA_KEEP_DAYS


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return _("未安装")


def _retention_lines(organization) -> list[str]:
    """The limits the daily purge applies (``privacy.retention.retention_limits``: the organization's default, stored
    or the product's, then each jurisdiction's own row)."""
    from hirelens.privacy.retention import retention_limits

    return [_("%(where)s：未录用候选人的数据 %(c)d 天，录像 %(r)d 天，分析结果 %(a)d 天，到期后每日自动删除。")
            % {"where": row.label or _("默认"), "c": row.policy.candidates_days, "r": row.policy.recordings_days,
               "a": row.policy.analyses_days}
            for row in retention_limits(organization_id=organization.pk)]


def _facial(organization) -> tuple[bool, int]:
    from hirelens.positions.models import Position

    positions = Position.objects.filter(organization=organization)
    field_names = {f.name for f in Position._meta.get_fields()}
    if "facial_analysis" in field_names:  # per-position switch, where the positions app has it
        on = positions.filter(facial_analysis="on").count()
        inherit = positions.filter(facial_analysis="inherit").count() if organization.facial_analysis_enabled else 0
        return bool(organization.facial_analysis_enabled) or on > 0, on + inherit
    return bool(organization.facial_analysis_enabled), positions.count() if organization.facial_analysis_enabled else 0


PIA_LANGUAGES = ("zh-hans", "en")


def pia_content(*, organization) -> dict:
    """The assessment in every language of the product, as it reads now: {"sections": {language: [...]}, ...}.

    A saved version is a record: it keeps the text as it was, in both languages, so that a reader in either language
    reads the same version."""
    from django.utils import translation

    sections = {}
    for language in PIA_LANGUAGES:
        with translation.override(language):
            sections[language] = _sections(organization=organization)
    return {"sections": sections, "saved_in": get_language() or "zh-hans"}


def pia_sections(content: dict) -> list[dict]:
    """The sections of ``content`` in the reader's language (else the first there is)."""
    sections = content.get("sections") or {}
    if isinstance(sections, list):
        return sections
    language = (get_language() or "zh-hans").lower()
    key = "en" if language.startswith("en") else "zh-hans"
    return sections.get(key) or next(iter(sections.values()), [])


def _sections(*, organization) -> list[dict]:
    """The assessment's sections: [{"heading", "lines"}]."""
    from hirelens.candidates.models import Candidate
    from hirelens.fairness.models import FairnessAudit, SelfIdentification
    from hirelens.positions.models import Position

    facial_on, facial_positions = _facial(organization)
    models_lines = [
        _("语音转写：faster-whisper %(v)s（普通话与语种识别用 Whisper base 多语种模型，英语用 tiny.en；可由 HIRELENS_WHISPER_MODEL_DIR 替换）。")
        % {"v": _version("faster-whisper")},
        _("语音活动检测：silero VAD（随 faster-whisper 提供）；音高与响度：praat-parselmouth %(v)s。") % {"v": _version("praat-parselmouth")},
        _("关键词统计：jieba %(v)s 分词，按职位设置的关键词与同义词计数。") % {"v": _version("jieba")},
    ]
    if facial_on:
        models_lines.append(_("面部与姿态：MediaPipe %(v)s 的人脸检测、468 点面部关键点、表情系数（blendshape）与姿态模型，以 LiteRT 在本机运行；已开启的职位 %(n)d 个。")
                            % {"v": _version("mediapipe"), "n": facial_positions})
    else:
        models_lines.append(_("面部与姿态分析：已关闭，不解码视频帧，不计算也不显示任何面部、表情或姿态数据。"))
    models_lines.append(_("所有模型在本机运行，不把录像或文字发送给第三方；AI 只给出中性的参考指标，不打分、不做决定，每个决定由人记录（S1）。"))
    sections = [
        {"heading": _("组织与范围"), "lines": [
            _("组织：%(name)s") % {"name": organization.name},
            _("评估日期：%(d)s") % {"d": timezone.localdate().isoformat()},
            _("范围：招聘职位 %(p)d 个，候选人 %(c)d 人。") % {"p": Position.objects.filter(organization=organization).count(),
                                                          "c": Candidate.objects.filter(organization=organization).count()},
        ]},
        {"heading": _("处理哪些个人信息"), "lines": [
            _("候选人的姓名、电话、邮箱、证件号、地址（加密保存，默认脱敏显示）；简历、学历证明等文件。"),
            _("AI视频面试与直播面试的录像、转写文字、语音指标（说话时长、语速、停顿、音高与响度变化）、职位关键词计数。"),
            _("面部表情与姿态信号（仅在开启面部分析且候选人单独同意时）。") if facial_on else _("面部表情与姿态信号：不处理（已关闭）。"),
            _("评分卡、评价理由、录用决定、消息与提醒记录、满意度调查。"),
            _("自愿填写的性别与种族/族裔（仅用于偏差审计的汇总统计，加密保存，评估人员不可见，不参与任何评分）；已填写 %(n)d 人。")
            % {"n": SelfIdentification.objects.filter(organization=organization).count()},
        ]},
        {"heading": _("处理目的与依据"), "lines": [
            _("目的：组织面试、评估候选人与职位的匹配、通知结果、改进招聘流程、检查招聘是否对不同群体公平。"),
            _("依据：候选人的同意（录像、AI 分析与生物特征分析分别同意，可撤回）；订立劳动合同所必需的处理。"),
        ]},
        {"heading": _("保存期限"), "lines": _retention_lines(organization)},
        {"heading": _("使用的 AI 及其模型"), "lines": models_lines},
        {"heading": _("安全措施"), "lines": [
            _("静态加密：个人信息与文件以 AES-256-GCM 加密保存；联系方式用盲索引查找。"),
            _("权限：按角色、职位与环节授权；面试官只看到分配给自己的职位；每次查看与修改个人信息写入防篡改的审计日志。"),
            _("每日加密备份并测试恢复；员工可启用双因素登录。"),
            _("候选人可查看、导出、更正、删除自己的数据，撤回同意，申请人工复核或其他面试方式。"),
        ]},
        {"heading": _("风险与应对"), "lines": [
            _("AI 指标可能受口音、网络、光线影响：只作参考证据并注明局限，不据此自动淘汰任何人。"),
            _("可能对某些群体不利：按 4/5 规则定期做偏差审计（已做 %(n)d 次），结果可公开。")
            % {"n": FairnessAudit.objects.filter(organization=organization).count()},
            _("数据泄露：加密、最小权限、审计日志与到期删除降低影响。"),
        ]},
        {"heading": _("记录的保存"), "lines": [
            _("本评估每次保存为新版本，至少保存三年（%(days)d 天），期满前不能删除。") % {"days": PIA_KEEP_DAYS},
        ]},
    ]
    return sections
