"""Jobs: send one webhook delivery. The worker's sweeper (hirelens.core.jobs) calls ``sweep`` to queue again what a
crash left (a delivery whose worker died mid-try, or whose task never reached the queue)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def webhook_deliver_task(delivery_id: int) -> None:
    """Idempotent: a delivery that is not due, not its turn, taken by another worker or finished is left alone."""
    from .services import delivery_send

    delivery_send(delivery_id=delivery_id)


def sweep() -> dict:
    from .services import deliveries_resume_stalled

    return deliveries_resume_stalled()


def stuck() -> dict:
    from .services import deliveries_stuck

    return deliveries_stuck()
