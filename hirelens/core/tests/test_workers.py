"""Workers by kind: which task goes to which queue, the idle release of an analysis worker's models, run_worker."""

import threading
import time

import pytest
from django.core.management import CommandError, call_command
from huey import MemoryHuey


def test_only_media_analysis_goes_to_the_analysis_queue():
    from django.utils.module_loading import autodiscover_modules

    from hirelens.core.jobs import QUEUES

    autodiscover_modules("tasks")
    names = {queue: sorted(name.rsplit(".", 1)[-1] for name in huey._registry._registry) for queue, huey in QUEUES.items()}
    assert names["analysis"] == ["answer_analyse_task", "room_recording_analyse"]
    assert {"message_deliver_task", "webhook_deliver_task", "invitation_send_task", "export_build_task",
            "worker_heartbeat", "reminders_tick_task"} <= set(names["light"])
    assert not set(names["light"]) & set(names["analysis"])
    assert not QUEUES["analysis"]._registry._periodic_tasks  # periodic tasks are the light queue's


def test_idle_release_frees_once_after_the_idle_period_and_never_during_a_task():
    from hirelens.core.jobs import IdleRelease

    huey = MemoryHuey("idle-test", immediate=True)
    released = []
    idle = IdleRelease(huey, lambda: released.append(time.monotonic()) or {"speech_models": 1}, idle_s=0.3, check_every=0.05)
    idle.install()
    started, finish = threading.Event(), threading.Event()

    @huey.task()
    def analyse():
        started.set()
        finish.wait(5)

    assert idle.check() is False  # nothing ran yet: nothing to free
    runner = threading.Thread(target=analyse)
    runner.start()
    started.wait(5)
    time.sleep(0.5)
    assert idle.check() is False and released == []  # a task runs: never released under it
    finish.set()
    runner.join()
    done = time.monotonic()
    assert idle.check() is False  # idle for less than idle_s
    idle.start()  # what each worker's start-up does: the watching thread
    idle.start()  # once per process
    deadline = time.monotonic() + 5
    while not released and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(released) == 1 and released[0] - done >= 0.3
    time.sleep(0.3)
    assert len(released) == 1 and idle.releases == 1  # freed once; the next task makes it due again
    finish.clear()
    finish.set()
    analyse()
    deadline = time.monotonic() + 5
    while len(released) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(released) == 2


def test_run_worker_refuses_the_inline_mode_and_unknown_queues():
    with pytest.raises(CommandError, match="IMMEDIATE"):
        call_command("run_worker", "--queue", "analysis")  # the test settings run tasks inline
    with pytest.raises(CommandError):
        call_command("run_worker", "--queue", "heavy")
