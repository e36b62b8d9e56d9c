"""Creates N started interview sessions in a fresh bench database and verifies stored answers afterwards.

Used by bench/uploads.py (``setup N``, ``verify N SHA256``, ``verify-expected RESULTS.json``); run with DJANGO_SETTINGS_MODULE=config.settings.local and HIRELENS_VAR_DIR set.
"""

import hashlib
import json
import sys

import django

django.setup()

from django.utils import timezone  # noqa: E402

from hirelens.accounts.models import User  # noqa: E402
from hirelens.candidates.models import Application, Candidate  # noqa: E402
from hirelens.core.models import Organization  # noqa: E402
from hirelens.interviews.models import Answer, InterviewSession  # noqa: E402
from hirelens.interviews.services import _hash  # noqa: E402
from hirelens.positions.models import Position  # noqa: E402

# ten questions: the real-time bench records one answer to each in turn (a retake would discard the answer before it)
QUESTION = [{"text": f"bench question {n}", "prep_s": 5, "answer_s": 120, "retakes": 9} for n in range(1, 11)]


def setup(count: int) -> None:
    org, _ = Organization.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    User.objects.get_or_create(email="bench@bench.local", defaults={"full_name": "bench", "organization": org, "role": "hr_admin"})
    position, _ = Position.objects.get_or_create(organization=org, title="Bench")
    existing = InterviewSession.objects.filter(organization=org).count()
    for i in range(existing, count):
        candidate = Candidate.objects.create(organization=org, full_name=f"候选人{i}", email=f"c{i}@bench.local")
        application = Application.objects.create(organization=org, candidate=candidate, position=position)
        InterviewSession.objects.create(
            organization=org, application=application, questions=QUESTION, token_hash=_hash(f"bench-{i}"),
            expires_at=timezone.now() + timezone.timedelta(days=1), state="started",
            consents={"recording": {"version": 1, "accepted": True}, "ai_analysis": {"version": 1, "accepted": True}},
        )


def verify(count: int, expected_sha: str) -> None:
    complete = good = 0
    for i in range(count):
        session = InterviewSession.objects.get(token_hash=_hash(f"bench-{i}"))
        answer = session.answers.filter(status=Answer.Status.COMPLETE).first()
        if answer is None:
            continue
        complete += 1
        digest = hashlib.sha256()
        with answer.recording.open("rb") as handle:
            for block in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(block)
        good += digest.hexdigest() == expected_sha
    print(f"stored answers: {complete}/{count} complete, {good}/{count} byte-for-byte identical to the upload")


def verify_expected(path: str) -> bool:
    """Every answer the load generator finished (results JSON: [answer id, size, SHA-256]) is complete and its stored
    file is byte for byte what was uploaded; and no other answer was completed."""
    expected = json.loads(open(path).read())["expected"]
    good = 0
    for answer_id, size, sha in expected:
        answer = Answer.objects.filter(pk=answer_id, status=Answer.Status.COMPLETE).first()
        if answer is None or answer.size != size:
            continue
        digest = hashlib.sha256()
        with answer.recording.open("rb") as handle:
            for block in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(block)
        good += digest.hexdigest() == sha
    complete = Answer.objects.filter(session__organization__slug="bench", status=Answer.Status.COMPLETE).count()
    print(f"stored answers: {good}/{len(expected)} complete and byte-for-byte identical to the upload "
          f"({complete} complete in all), lost {len(expected) - good}")
    return good == len(expected) == complete


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup(int(sys.argv[2]))
    elif sys.argv[1] == "verify-expected":
        sys.exit(0 if verify_expected(sys.argv[2]) else 1)
    else:
        verify(int(sys.argv[2]), sys.argv[3])
