from hirelens.core.jobs import backoff_task

from . import services


@backoff_task(retries=6)
def invitation_send_task(invitation_id: int):
    return services.invitation_send(invitation_id=invitation_id)


@backoff_task(retries=3)
def invitation_accepted_notify_task(invitation_id: int):
    services.invitation_accepted_notify(invitation_id=invitation_id)
