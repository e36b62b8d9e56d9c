from django.conf import settings

from hirelens.core.jobs import backoff_task

from . import analysis_bridge


def _gave_up(answer_id: int, *, error: Exception):
    analysis_bridge.answer_analysis_failed(answer_id=answer_id, reason=f"{type(error).__name__}: {error}")


@backoff_task(retries=settings.JOB_MAX_ATTEMPTS, on_give_up=_gave_up, queue="analysis")
def answer_analyse_task(answer_id: int):
    analysis_bridge.answer_analyse(answer_id=answer_id)


def sweep() -> dict:
    """Run by the worker's sweeper (hirelens.core.jobs): analyses a dead worker left behind are queued again."""
    return analysis_bridge.answers_sweep()


def stuck() -> dict:
    return analysis_bridge.answers_stuck()
