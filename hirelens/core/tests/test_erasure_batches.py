"""An erasure takes the erased person's rows out of a queued delivery batch and leaves the batch's other people in it
(Huey's SQLite queue, the embedded default; the Redis queue: test_erasure_redis.py). Before, the whole batch was
dropped and the others' messages waited for the stalled-delivery sweep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hirelens.candidates.models import Candidate

pytestmark = pytest.mark.django_db(transaction=True)


def _queued(huey) -> list[tuple[str, tuple, bool]]:
    return sorted((m.name.rsplit(".", 1)[-1], tuple(tuple(a) if isinstance(a, list) else a for a in m.args), False)
                  for m in huey.pending()) + sorted(
        (m.name.rsplit(".", 1)[-1], tuple(tuple(a) if isinstance(a, list) else a for a in m.args), True)
        for m in huey.scheduled())


def test_a_batch_keeps_the_other_peoples_messages_and_they_are_delivered(org, hr_admin, real_queue, mailoutbox):
    from hirelens.core.erasure import erase_candidate
    from hirelens.messaging.models import Message
    from hirelens.messaging.services.messages import message_send
    from hirelens.messaging.tasks import messages_deliver_task

    erased = Candidate.objects.create(organization=org, full_name="赵删除", email="zhao.erase@example.com")
    others = [Candidate.objects.create(organization=org, full_name=name, email=f"{mail}@example.com")
              for name, mail in (("钱保留", "qian.keep"), ("孙保留", "sun.keep"))]

    def send(candidate):
        return message_send(organization_id=org.pk, kind="result", candidate=candidate, enqueue=False,
                            variables={"position": "销售代表", "result": "通过"}).pk

    theirs = [send(erased), send(erased)]
    kept = [send(others[0]), send(others[1])]
    messages_deliver_task([theirs[0], kept[0], theirs[1], kept[1]])  # one batch, two people's messages in it
    messages_deliver_task(theirs)  # a batch of the erased person's only
    retry = messages_deliver_task.s([kept[1], theirs[0]])  # a batch the consumer put back on the schedule
    retry.eta = datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=5)
    real_queue.add_schedule(retry)
    assert len(_queued(real_queue)) == 3

    erase_candidate(candidate=erased, actor=hr_admin, reason="request")

    left = _queued(real_queue)
    assert ("messages_deliver_task", (tuple(kept),), False) in left  # the mixed batch, for the others only
    assert ("messages_deliver_task", ((kept[1],),), False) in left  # the scheduled one comes back with its eta
    assert len(left) == 2 and not any(set(theirs) & set(args[0]) for _, args, _ in left)
    again = next(m for m in real_queue.pending() if list(m.args[0]) == [kept[1]])
    assert again.eta == retry.eta  # the consumer puts it back on the schedule until then

    while (task := real_queue.dequeue()) is not None:  # run what is due, as the worker would
        if task.eta is None:
            real_queue.execute(task)
    statuses = {m.candidate.full_name: m.status for m in Message.objects.filter(pk__in=kept).select_related("candidate")}
    assert statuses == {"钱保留": "sent", "孙保留": "sent"}, statuses
    assert not Message.objects.filter(candidate=erased).exists()
