"""The erasure scrubs the Redis queue too (issue 20): with Huey on Redis (``HIRELENS_REDIS_URL``), deliveries and an
analysis naming the candidate's rows, waiting or scheduled, are taken out of the Redis keys; another candidate's stay.

Run with ``-m redis`` and ``HIRELENS_REDIS_URL`` (``make test-redis``), on PostgreSQL like the rest of that suite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from hirelens.candidates.models import Candidate

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

NAME, EMAIL = "赵删除", "zhao.erase@example.com"


def _redis_values(conn) -> list[bytes]:
    """Every value held in this Redis database, whatever the type of its key."""
    out = []
    for key in conn.scan_iter(count=500):
        kind = conn.type(key)
        if kind == b"string":
            out.append(conn.get(key))
        elif kind == b"list":
            out += conn.lrange(key, 0, -1)
        elif kind == b"zset":
            out += conn.zrange(key, 0, -1)
        elif kind == b"set":
            out += list(conn.smembers(key))
        elif kind == b"hash":
            out += list(conn.hvals(key))
    return [value for value in out if value]


def _tasks(conn, huey) -> list[tuple[str, tuple]]:
    """Every Huey message found in the Redis keys (a priority queue member carries an 8-byte time prefix)."""
    found = []
    for value in _redis_values(conn):
        for data in (value, value[8:]):
            try:
                message = huey.serializer.deserialize(data)
            except Exception:  # noqa: BLE001,S112 - not a message (a result, a lock, another key's value)
                continue
            if hasattr(message, "args"):
                found.append((message.name.rsplit(".", 1)[-1], tuple(message.args)))
                break
    return found


def _naming(tasks, ids: dict[str, set]) -> list[tuple[str, tuple]]:
    """The tasks whose arguments name one of the rows in ``ids`` (task name -> ids), a batch's list included."""
    def flat(args):
        return [a for arg in args for a in (arg if isinstance(arg, (list, tuple)) else [arg])]

    return [(name, args) for name, args in tasks if any(a in ids.get(name, ()) for a in flat(args) if isinstance(a, int))]


def test_erasure_takes_the_candidates_tasks_out_of_the_redis_queue(org, hr_admin, real_queue, analysis_queue):
    from hirelens.core.erasure import erase_candidate
    from hirelens.interviews.models import Answer
    from hirelens.interviews.tasks import answer_analyse_task
    from hirelens.interviews.tests.factories import InterviewSessionFactory
    from hirelens.messaging.services.messages import message_send
    from hirelens.messaging.tasks import message_deliver_task, messages_deliver_task

    assert settings.REDIS_URL and settings.HUEY["huey_class"] == "huey.PriorityRedisHuey", "run with HIRELENS_REDIS_URL"
    conn = real_queue.storage.conn

    session = InterviewSessionFactory(application__candidate__organization=org, application__organization=org, organization=org)
    candidate = Candidate.objects.get(pk=session.application.candidate_id)
    candidate.full_name, candidate.email = NAME, EMAIL
    candidate.save()
    answer = Answer.objects.create(organization=org, session=session, question_index=0, kind="text", status="complete",
                                   text="我的回答", analysis_status="queued")
    other = Candidate.objects.create(organization=org, full_name="钱保留", email="qian.keep@example.com")
    theirs = [message_send(organization_id=org.pk, kind="result", candidate=candidate, enqueue=False,
                           variables={"position": "销售代表", "result": "未通过"}).pk for _ in range(2)]
    kept = message_send(organization_id=org.pk, kind="result", candidate=other, enqueue=False,
                        variables={"position": "销售代表", "result": "通过"}).pk

    message_deliver_task(theirs[0])  # waiting in the priority queue
    later = message_deliver_task.s(theirs[1])  # a retry the consumer has put in the schedule for later
    later.eta = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1)
    real_queue.add_schedule(later)
    messages_deliver_task(theirs)  # a batch of theirs only
    messages_deliver_task([theirs[0], kept, theirs[1]])  # a batch with another candidate's message in it
    answer_analyse_task(answer.pk)
    message_deliver_task(kept)

    @real_queue.task()
    def elsewhere_task(item_id: int) -> None:  # a task of a module this process never imported (the web process)
        pass

    elsewhere_task(theirs[0])
    real_queue._registry.unregister(elsewhere_task.task_class)
    ids = {"message_deliver_task": set(theirs), "messages_deliver_task": set(theirs), "answer_analyse_task": {answer.pk}}
    assert conn.zcard(real_queue.storage.queue_key) == 5 and conn.zcard(real_queue.storage.schedule_key) == 1
    assert conn.zcard(analysis_queue.storage.queue_key) == 1  # the analysis waits in its own queue
    before = _naming(_tasks(conn, real_queue), ids)  # every Redis key: both queues
    assert len(before) == 5  # the set-up is what we think: five tasks of ours name the candidate's rows

    result = erase_candidate(candidate=candidate, actor=hr_admin, reason="request")

    assert not result.pending
    left = _tasks(conn, real_queue)
    assert _naming(left, ids) == []  # 0 hits in the Redis keys (both queues)
    # the other candidate's delivery is still queued, the mixed batch again for the other candidate only; a message
    # this process cannot run is read, not refused
    assert sorted(left) == sorted([("elsewhere_task", (theirs[0],)), ("message_deliver_task", (kept,)),
                                   ("messages_deliver_task", ([kept],))])
    blob = b"".join(_redis_values(conn))
    assert NAME.encode() not in blob and EMAIL.encode() not in blob
