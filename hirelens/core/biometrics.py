"""What counts as face, expression and posture data in an analysis report (``analysis.report.Report.to_dict``)."""

from __future__ import annotations

BIOMETRIC_EVENTS = {"face_absent", "multiple_faces", "look_away", "smile", "frown", "gesture"}
BIOMETRIC_SUMMARY = ("face_present_ratio", "smile_count", "frown_count", "look_away_count")


def strip_biometrics(report: dict | None) -> dict | None:
    """The report without face, expression and posture data (the speech and transcript parts stay)."""
    if not report:
        return report
    clean = dict(report)
    clean["face"] = None
    clean["posture"] = None
    clean["events"] = [e for e in report.get("events") or [] if e.get("type") not in BIOMETRIC_EVENTS]
    summary = dict(report.get("summary") or {})
    for key in BIOMETRIC_SUMMARY:
        if key in summary:
            summary[key] = None
    clean["summary"] = summary
    clean["warnings"] = [w for w in report.get("warnings") or [] if w.get("code") not in ("face_absent", "multiple_faces")]
    if isinstance(clean.get("media"), dict):
        clean["media"] = {**clean["media"], "video_frames_decoded": 0}
    return clean
