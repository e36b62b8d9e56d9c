"""Demo: one open deletion request due in a few days, one done export request with its archive, one overdue access
request; then two unsuccessful candidates due for purge within the month (``demo_retention``). Idempotent: a
candidate who already has a request of that kind gets no other."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .models import PrivacyRequest


def _through_portal(*, admin, candidate):
    """The candidate's own request comes through their portal: a link HR sent, verified like any other."""
    from hirelens.portal.access import access_portal_actor
    from hirelens.portal.services import portal_link_create

    _link, token = portal_link_create(actor=admin, candidate=candidate, days=14)
    return access_portal_actor(token=token)


def load(ctx):
    from . import demo_retention

    _requests(ctx)
    demo_retention.load(ctx)


def _requests(ctx):
    admin = ctx.users.get("admin")
    names = [name for name in ctx.candidates if name not in ("Emily Chen", "赵磊")]
    people = {"delete": ctx.candidates.get(names[0]) if names else None, "export": ctx.candidates.get("Emily Chen"),
              "access": ctx.candidates.get(names[1]) if len(names) > 1 else None}
    if admin is None or not all(people.values()):
        return
    from . import services

    now = timezone.now()
    if not PrivacyRequest.objects.filter(candidate=people["delete"], kind="delete").exists():
        pr = services.privacy_request_create(actor=_through_portal(admin=admin, candidate=people["delete"]),
                                             candidate=people["delete"], kind="delete",
                                             details="我已接受其他公司的录用，请删除我的全部资料。", received_at=now - timedelta(days=12))
    if not PrivacyRequest.objects.filter(candidate=people["access"], kind="access").exists():
        pr = services.privacy_request_create(candidate=people["access"], kind="access", actor=admin,
                                             details="候选人来电，想知道我们保存了哪些资料。", received_at=now - timedelta(days=20))
        services.privacy_request_start(actor=admin, privacy_request=pr)
    if not PrivacyRequest.objects.filter(candidate=people["export"], kind="export").exists():
        pr = services.privacy_request_create(actor=_through_portal(admin=admin, candidate=people["export"]),
                                             candidate=people["export"], kind="export", language="en",
                                             details="Please send me a copy of my data.", received_at=now - timedelta(days=3))
        export = services.export_start(actor=admin, privacy_request=pr)
        services.export_build(export_id=export.pk)
        services.privacy_request_complete(actor=admin, privacy_request=pr, note="")
    ctx.log.append("Privacy requests: /privacy/requests/ (a deletion due soon, an overdue access request, a done export)")
