"""How long after the last upload is a 10-answer interview's report complete? (issue 3, item 7)

    .venv/bin/python bench/interview_report.py [--answers 10] [--seconds 60] [--workers 2] [--face]

Generates N answers of speech (espeak-ng) as browser-like WebM, creates a submitted session in a
fresh SQLite bench database, starts a real Huey consumer (process workers), completes every answer
through the same service the upload API uses, and prints the time from the last upload to the session
being `analysed`, with the per-answer analysis times.
"""

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEXT = ("I enjoy teamwork and I like to talk with customers. In my last project our team of five people "
        "delivered a new product on time, and the customers were very happy with the result. ")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--face", action="store_true", help="video with face analysis (biometric consent given)")
    args = parser.parse_args()

    var = ROOT / "var" / "bench-report"
    shutil.rmtree(var, ignore_errors=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "HIRELENS_VAR_DIR": str(var),
           "HIRELENS_DEBUG": "false", "HIRELENS_LOG_LEVEL": "WARNING"}
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)

    import django

    django.setup()
    from django.utils import timezone

    from hirelens.accounts.models import User
    from hirelens.candidates.models import Application, Candidate
    from hirelens.core.models import Organization
    from hirelens.interviews.models import Answer, InterviewSession
    from hirelens.interviews.sample_media import face_webm, speech_webm
    from hirelens.interviews.services import _hash, answer_finish, chunk_put
    from hirelens.positions.models import Position

    with tempfile.TemporaryDirectory() as folder:
        words = TEXT * max(1, int(args.seconds / 11))
        if args.face:  # a 640x480 30 fps webcam-like video: the face moves, turns away, leaves the picture
            recording = face_webm(Path(folder) / "face.webm", words, seconds=args.seconds, fps=30).read_bytes()
        else:
            recording = speech_webm(Path(folder), words)
    kind, mime = ("video", "video/webm") if args.face else ("audio", "audio/webm")
    org = Organization.objects.create(slug="bench", name="Bench")
    User.objects.create(email="b@bench.local", full_name="b", organization=org, role="hr_admin")
    position = Position.objects.create(organization=org, title="Sales", keywords=["teamwork", "customers"])
    candidate = Candidate.objects.create(organization=org, full_name="候选人")
    application = Application.objects.create(organization=org, candidate=candidate, position=position)
    questions = [{"text": f"Q{i}", "prep_s": 5, "answer_s": int(args.seconds * 3), "retakes": 1} for i in range(args.answers)]
    session = InterviewSession.objects.create(
        organization=org, application=application, questions=questions, token_hash=_hash("bench"),
        expires_at=timezone.now() + timezone.timedelta(days=1), state="answering", biometric_allowed=args.face,
        consents={"recording": {"version": 1}, "ai_analysis": {"version": 1}})

    worker = subprocess.Popen([sys.executable, "manage.py", "run_huey", "-w", str(args.workers), "-k", "process", "-q"],
                              cwd=ROOT, env=env)
    try:
        time.sleep(3)  # consumer start-up, not counted
        piece = 256 * 1024
        for index in range(args.answers):
            answer = Answer.objects.create(organization=org, session=session, question_index=index, mime_type=mime, kind=kind)
            for n, offset in enumerate(range(0, len(recording), piece)):
                data = recording[offset:offset + piece]
                chunk_put(answer=answer, index=n, offset=offset, sha256=hashlib.sha256(data).hexdigest(), data=data)
            answer_finish(answer=answer, total_size=len(recording), sha256=hashlib.sha256(recording).hexdigest())
        last_upload = time.perf_counter()
        InterviewSession.objects.filter(pk=session.pk).update(state="submitted")
        from hirelens.interviews.services import session_mark_analysed_if_done

        while True:
            session_mark_analysed_if_done(session_id=session.pk)
            session.refresh_from_db()
            if session.state == "analysed":
                break
            if time.perf_counter() - last_upload > 900:
                raise SystemExit("not analysed within 15 minutes")
            time.sleep(0.25)
        elapsed = time.perf_counter() - last_upload
    finally:
        worker.terminate()
        worker.wait()
    done = Answer.objects.filter(session=session, analysis_status="done").count()
    timings = [a.analysis.get("timings_s", {}) for a in Answer.objects.filter(session=session) if a.analysis]
    total_audio = args.answers * args.seconds
    print(f"{args.answers} answers × {args.seconds:.0f} s ({len(recording)} bytes each), {args.workers} worker processes, "
          f"face={'on' if args.face else 'off'}, {os.cpu_count()} CPUs")
    print(f"report complete {elapsed:.1f} s after the last upload ({done}/{args.answers} analysed; {total_audio / elapsed:.1f}× real time overall)")
    if timings:
        per = sorted(t.get("total", sum(t.values())) for t in timings)
        print(f"per-answer analysis time: min {per[0]:.1f} s, median {per[len(per) // 2]:.1f} s, max {per[-1]:.1f} s")


if __name__ == "__main__":
    main()
