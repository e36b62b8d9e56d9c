"""Sending one message: render it once, store it (encrypted), deliver it in a job through the first
channel of its order that works, and log every attempt."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hirelens.core import events
from hirelens.core.jobs import enqueue_on_commit
from hirelens.core.models import Organization
from hirelens.core.realtime import organization_group, publish_on_commit
from hirelens.messaging.channels import (
    DeliveryContext,
    DeliverySession,
    PermanentError,
    TransientError,
    UnknownOutcome,
    registry,
)
from hirelens.messaging.models import DeliveryAttempt, Kind, Message, MessageTemplate, StaffContact, WeChatBinding
from hirelens.messaging.rendering import default_template, prepare_variables, render_text

from .policy import channel_order

logger = logging.getLogger(__name__)

MAX_TRANSIENT_TRIES = 3  # per channel; then the message falls back to the next channel


def lease() -> timedelta:
    """How long a claimed message is left to its worker (two job leases: 2 minutes by default)."""
    return timedelta(seconds=2 * settings.JOB_LEASE_S)


class SentButUnrecorded(Exception):
    """The channel delivered but the database refused the record for long: logged loudly; the lease
    keeps the message from being re-sent until it expires."""


class RetryLater(Exception):
    def __init__(self, delay: float):
        super().__init__(f"retry in {delay:.0f}s")
        self.delay = delay


def template_for(*, organization_id: int, kind: str, language: str) -> tuple[str, str]:
    own = MessageTemplate.objects.filter(organization_id=organization_id, kind=kind, language=language).first()
    if own is not None:
        return own.subject, own.body
    return default_template(kind, language)


def _recipient_language(organization: Organization, candidate, user, language: str | None) -> str:
    if language:
        return "en" if language.startswith("en") else "zh-hans"
    if user is not None and user.language:
        return user.language
    return organization.default_language or "zh-hans"


@transaction.atomic
def message_send(*, organization_id: int, kind: str, variables: dict | None = None, candidate=None, candidate_id: int | None = None,
                 user=None, user_id: int | None = None, binding=None, address: str = "", language: str | None = None,
                 subject_type: str = "", subject_id: str | int = "", idempotency_key: str | None = None, ics: str = "",
                 channels: list[str] | None = None, enqueue: bool = True) -> Message:
    """Queue one message to one recipient (a candidate, a staff user, a WeChat follower or an e-mail
    address) and deliver it after commit. With ``idempotency_key`` a second call returns the first message.
    ``enqueue=False``: the caller hands the message to ``messages_enqueue`` itself (batched delivery);
    a message whose job never comes is picked up by ``messages_resume_stalled``."""
    if kind not in Kind.values:
        raise ValidationError(_("未知的消息类型：%(kind)s") % {"kind": kind})
    from hirelens.accounts.models import User
    from hirelens.candidates.models import Candidate

    organization = Organization.objects.get(pk=organization_id)
    if candidate is None and candidate_id is not None:
        candidate = Candidate.objects.filter(organization_id=organization_id, pk=candidate_id).first()
        if candidate is None:
            raise ValidationError(_("候选人不属于本组织。"))
    if user is None and user_id is not None:
        user = User.objects.filter(organization_id=organization_id, pk=user_id).first()
        if user is None:
            raise ValidationError(_("员工不属于本组织。"))
    recipients = [r for r in (candidate, user, binding) if r is not None]
    if (user is not None and (candidate is not None or binding is not None or address)) or not (recipients or address):
        raise ValidationError(_("一条消息只能有一个收件人。"))
    for row in recipients:
        if row.organization_id != organization_id:
            raise ValidationError(_("收件人不属于本组织。"))
    if idempotency_key:
        existing = Message.objects.filter(organization_id=organization_id, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    language = _recipient_language(organization, candidate, user, language)
    values = {"organization": organization.name, "time_zone": organization.time_zone}
    if candidate is not None:
        values["name"] = candidate.full_name
    elif user is not None:
        values["name"] = user.full_name
    values.update({k: v for k, v in (variables or {}).items() if v is not None})
    values = prepare_variables(values, language=language)
    subject_text, body_text = template_for(organization_id=organization_id, kind=kind, language=language)
    message = Message(
        organization_id=organization_id, kind=kind, language=language, candidate=candidate, user=user, binding=binding,
        address=address, subject_type=subject_type, subject_id=str(subject_id or ""), idempotency_key=idempotency_key or None,
        variables=json.dumps(values, ensure_ascii=False, default=str), subject=render_text(subject_text, values),
        body=render_text(body_text, values), ics=ics,
        channels=channels or channel_order(organization_id=organization_id, kind=kind, staff=user is not None),
    )
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # The same idempotency key was committed by a concurrent caller: that message is the one.
        return Message.objects.get(organization_id=organization_id, idempotency_key=idempotency_key)
    if enqueue:
        from hirelens.messaging.tasks import message_deliver_task

        enqueue_on_commit(message_deliver_task, message.pk)
    return message


DELIVERY_BATCH = 25


def messages_enqueue(message_ids: list[int], *, batch: int = DELIVERY_BATCH) -> int:
    """Deliver these messages in jobs of up to ``batch`` messages each (one SMTP connection and one read
    of the account settings per job), after the current transaction commits. Returns how many jobs."""
    from hirelens.messaging.tasks import messages_deliver_task

    ids = list(message_ids)
    for start in range(0, len(ids), batch):
        enqueue_on_commit(messages_deliver_task, ids[start:start + batch])
    return (len(ids) + batch - 1) // batch


def messages_deliver(message_ids: list[int]) -> dict[int, float]:
    """Deliver several messages in one session. Returns {message id: seconds} for those that asked to be
    retried later; one message's failure never stops the others."""
    later: dict[int, float] = {}
    with DeliverySession() as session:
        for message_id in message_ids:
            try:
                message_deliver(message_id=message_id, session=session)
            except RetryLater as exc:
                later[message_id] = exc.delay
            except OperationalError:
                # the database was busy before anything was sent (a send that succeeded is recorded with
                # retries): release the lease and try this one again shortly
                logger.warning("message %s: database busy, retrying shortly", message_id, exc_info=True)
                try:
                    Message.objects.filter(pk=message_id, status=Message.Status.SENDING).update(locked_until=None)
                except OperationalError:
                    pass  # the lease then expires by itself
                later[message_id] = 5.0
            except Exception:  # noqa: BLE001 - logged; the stalled-message sweep tries it again
                logger.exception("message %s: delivery crashed", message_id)
    return later


def delivery_context(message: Message, session: DeliverySession | None = None) -> DeliveryContext:
    ctx = DeliveryContext(message=message, organization=message.organization, variables=DeliveryContext.variables_of(message),
                          session=session)
    if message.candidate_id:
        candidate = message.candidate
        ctx.recipient_email, ctx.recipient_phone = candidate.email or "", candidate.phone or ""
        ctx.wechat_binding = message.binding or (
            WeChatBinding.objects.filter(organization_id=message.organization_id, candidate=candidate, followed=True)
            .order_by("-last_inbound_at", "-pk").first())
    elif message.user_id:
        ctx.recipient_email = message.user.email
        contact = StaffContact.objects.filter(organization_id=message.organization_id, user_id=message.user_id).first()
        ctx.wecom_userid = contact.wecom_userid if contact else ""
    elif message.binding_id:
        ctx.wechat_binding = message.binding
    if message.address:  # a contact left on a help form without a candidate record: an e-mail or a phone number
        if "@" in message.address:
            ctx.recipient_email = message.address
        else:
            ctx.recipient_phone = message.address
    return ctx


def _claim(message_id: int) -> bool:
    now = timezone.now()
    return bool(
        Message.objects.filter(pk=message_id, status__in=[Message.Status.QUEUED, Message.Status.SENDING])
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(status=Message.Status.SENDING, locked_until=now + lease())
    )


def _log(message, channel, status, *, code="", error="", provider_id="", pending: list[dict] | None = None):
    """Write one attempt, together with the skipped channels noted before it (``pending``: one INSERT
    for all, instead of a round trip per skipped channel; the caller clears the list once this commits)."""
    rows = [*(pending or []), dict(channel=channel, status=status, error_code=str(code)[:32], error=str(error)[:500],
                                   provider_id=str(provider_id)[:128])]
    DeliveryAttempt.objects.bulk_create([DeliveryAttempt(organization_id=message.organization_id, message=message, **row)
                                         for row in rows])


def _skip(pending: list[dict], channel: str, reason: str) -> None:
    pending.append(dict(channel=channel, status=DeliveryAttempt.Status.SKIPPED, error_code=str(reason)[:32], error="",
                        provider_id=""))


def message_deliver(*, message_id: int, session: DeliverySession | None = None) -> Message:
    """Try the channels in order. Idempotent: a sent or finished message is left alone, a channel that
    already failed is not tried again, and a lease keeps two workers from delivering the same message.

    Raises ``RetryLater`` when the current channel failed transiently and deserves another try; the
    task re-schedules itself. HTTP calls happen outside database transactions."""
    if session is None:
        with DeliverySession() as own:
            return message_deliver(message_id=message_id, session=own)
    if not _claim(message_id):
        return Message.objects.get(pk=message_id)
    message = Message.objects.select_related("organization", "candidate", "user", "binding").get(pk=message_id)
    ctx = delivery_context(message, session)
    channels = registry()
    attempts = list(message.attempts.all())
    skipped: list[dict] = []  # written with the next attempt (or the final state), not one by one
    for code in message.channels:
        mine = [a for a in attempts if a.channel == code]
        if any(a.status == DeliveryAttempt.Status.SENT for a in mine):
            return _finish_sent(message, code)
        if any(a.status in (DeliveryAttempt.Status.FAILED, DeliveryAttempt.Status.SKIPPED, DeliveryAttempt.Status.UNKNOWN)
               for a in mine):
            continue  # this channel had its chance: fall back
        channel = channels.get(code)
        if channel is None:
            _skip(skipped, code, "unknown_channel")
            continue
        reason = channel.unavailable(ctx)
        if reason:
            _skip(skipped, code, reason)
            continue
        try:
            result = channel.send(ctx)
        except TransientError as exc:
            tries = sum(1 for a in mine if a.status == DeliveryAttempt.Status.RETRY) + 1
            if tries < MAX_TRANSIENT_TRIES:
                _log(message, code, DeliveryAttempt.Status.RETRY, code=exc.code, error=exc.reason, pending=skipped)
                from hirelens.core.jobs import backoff_delay

                delay = max(exc.retry_after or 0, backoff_delay(tries - 1))
                Message.objects.filter(pk=message.pk).update(locked_until=None, retry_at=timezone.now() + timedelta(seconds=delay))
                raise RetryLater(delay) from None
            _log(message, code, DeliveryAttempt.Status.FAILED, code=exc.code,
                 error=_("%(n)d 次尝试后放弃：%(reason)s") % {"n": tries, "reason": exc.reason}, pending=skipped)
            skipped.clear()
            continue
        except UnknownOutcome as exc:
            _log(message, code, DeliveryAttempt.Status.UNKNOWN, code=exc.code, error=exc.reason, pending=skipped)
            skipped.clear()
            continue
        except PermanentError as exc:
            _log(message, code, DeliveryAttempt.Status.FAILED, code=exc.code, error=exc.reason, pending=skipped)
            skipped.clear()
            continue
        except Exception as exc:  # a bug in one channel must not strand the message: log it, fall back
            logger.exception("channel %s crashed on message %s", code, message.pk)
            _log(message, code, DeliveryAttempt.Status.FAILED, code="internal_error", error=type(exc).__name__, pending=skipped)
            skipped.clear()
            continue
        return _record_sent(message, code, result.provider_id, skipped)
    return _finish_unsent(message, skipped)


def _record_sent(message: Message, channel: str, provider_id: str, skipped: list[dict], *, tries: int = 6) -> Message:
    """The recipient has the message: record it, retrying a database that is briefly busy (a locked SQLite
    under load) rather than leaving a sent message looking unsent, which would send it again."""
    for attempt in range(tries):
        try:
            with transaction.atomic():
                _log(message, channel, DeliveryAttempt.Status.SENT, provider_id=provider_id, pending=skipped)
                return _finish_sent(message, channel)
        except OperationalError as exc:
            if attempt == tries - 1:
                raise SentButUnrecorded(f"message {message.pk} was sent on {channel} but could not be recorded") from exc
            logger.warning("message %s was sent but could not be recorded yet; retrying", message.pk)
            time.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


def _finish_sent(message: Message, channel: str) -> Message:
    message.status, message.channel, message.sent_at, message.locked_until, message.error = (
        Message.Status.SENT, channel, timezone.now(), None, "")
    message.save(update_fields=["status", "channel", "sent_at", "locked_until", "error", "updated_at"])
    return message


@transaction.atomic
def _finish_unsent(message: Message, skipped: list[dict] | None = None) -> Message:
    if skipped:
        DeliveryAttempt.objects.bulk_create([DeliveryAttempt(organization_id=message.organization_id, message=message, **row)
                                             for row in skipped])
    attempts = list(message.attempts.all())
    tried = [a for a in attempts if a.status != DeliveryAttempt.Status.SKIPPED]
    message.status = Message.Status.FAILED if tried else Message.Status.UNDELIVERABLE
    message.error = "; ".join(f"{a.channel}: {a.error_code or a.error}" for a in attempts)[:500]
    message.locked_until = None
    message.save(update_fields=["status", "error", "locked_until", "updated_at"])
    # HR is told: a live event for the staff who may read the outbox, and the outbox lists it as undelivered.
    publish_on_commit(organization_group(message.organization_id), "messaging.undelivered",
                      {"message": message.pk, "kind": message.kind, "status": message.status}, audience={"message": message.pk})
    events.emit(events.MessageFailed(organization_id=message.organization_id, message_id=message.pk, kind=message.kind,
                                     status=message.status, candidate_id=message.candidate_id))
    logger.warning("message %s could not be delivered: %s", message.pk, message.error)
    return message


def messages_resume_stalled(*, now=None, older_than: timedelta | None = None) -> int:
    """Re-queue messages whose job was lost (a crash between commit and enqueue, a flushed queue, a worker
    killed mid-delivery): still queued or sending, no live lease, not waiting for a planned retry."""
    from hirelens.messaging.tasks import message_deliver_task

    now = now or timezone.now()
    older_than = lease() if older_than is None else older_than
    stalled = list(
        Message.objects.filter(status__in=[Message.Status.QUEUED, Message.Status.SENDING], updated_at__lt=now - older_than)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .filter(Q(retry_at__isnull=True) | Q(retry_at__lt=now - older_than))
        .values_list("pk", flat=True)[:1000])
    for message_id in stalled:
        Message.objects.filter(pk=message_id).update(updated_at=now)  # not picked again by the next sweep
        message_deliver_task(message_id)
    return len(stalled)
