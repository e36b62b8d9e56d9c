from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from hirelens.core.jobs import backoff_task, queued_args

from . import services
from .models import Invitation


@backoff_task(retries=6)
def invitation_send_task(invitation_id: int):
    return services.invitation_send(invitation_id=invitation_id)


@backoff_task(retries=3)
def invitation_accepted_notify_task(invitation_id: int):
    services.invitation_accepted_notify(invitation_id=invitation_id)


def _unsent(now):
    """Pending invitations never e-mailed, idle for longer than a lease (their job was lost or gave up)."""
    return Invitation.objects.filter(sent_at__isnull=True, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now,
                                     updated_at__lt=now - timedelta(seconds=settings.JOB_LEASE_S))


def sweep() -> dict:
    """Run by the worker's sweeper (hirelens.core.jobs): an invitation whose job was lost is sent again."""
    now = timezone.now()
    candidates = list(_unsent(now).values_list("pk", flat=True)[:1000])
    requeued = 0
    if candidates:
        in_queue = queued_args(invitation_send_task)
        for pk in candidates:
            if pk not in in_queue and Invitation.objects.filter(pk=pk, sent_at__isnull=True).update(updated_at=now):
                invitation_send_task(pk)
                requeued += 1
    return {"requeued": requeued}


def stuck() -> dict:
    now = timezone.now()
    unsent = Invitation.objects.filter(sent_at__isnull=True, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)
    oldest = unsent.order_by("created_at").values_list("created_at", flat=True).first()
    return {"expired_leases": 0, "oldest_queued_s": round((now - oldest).total_seconds(), 1) if oldest else None}
