"""Which moves an application's progress allows is one rule (issue 23 §7): the model's properties
(``can_advance``, ``can_resume``, ``can_move``, ``is_open``) are what the pipeline services accept and what the
progress page offers, for every state."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from hirelens.workflows import services
from hirelens.workflows.models import ApplicationProgress

from .factories import make_application, published_process

State = ApplicationProgress.State


def _accepts(call) -> bool:
    try:
        with transaction.atomic():
            call()
            transaction.set_rollback(True)  # only the answer matters; every state starts from the same row
    except ValidationError:
        return False
    return True


@pytest.fixture
def progress(hr_admin, position):
    published_process(hr_admin, position, "sales")
    return services.pipeline_start(actor=hr_admin, application=make_application(position))


@pytest.mark.parametrize("state", State.values)
def test_the_services_accept_exactly_what_the_properties_say(hr_admin, progress, state):
    ApplicationProgress.objects.filter(pk=progress.pk).update(state=state)
    progress.refresh_from_db()
    other_stage = progress.version.stages.order_by("-order").first()

    def call(service, **extra):
        return lambda: service(actor=hr_admin, progress=ApplicationProgress.objects.get(pk=progress.pk), reason="理由", **extra)

    accepted = {
        "advance": _accepts(call(services.pipeline_advance)),
        "hold": _accepts(call(services.pipeline_hold)),
        "resume": _accepts(call(services.pipeline_resume)),
        "complete": _accepts(call(services.pipeline_complete)),
        "reject": _accepts(call(services.pipeline_reject)),
        "withdraw": _accepts(call(services.pipeline_withdraw)),
        "move": _accepts(call(services.pipeline_move, to_stage=other_stage)),
    }
    said = {"advance": progress.can_advance, "hold": progress.can_advance, "resume": progress.can_resume,
            "complete": progress.is_open, "reject": progress.can_move, "withdraw": progress.can_move,
            "move": progress.can_move}
    assert accepted == said
    assert progress.can_move == (state not in (State.REJECTED, State.WITHDRAWN))  # the page's old rule, kept


@pytest.mark.parametrize(("state", "offered"), [
    (State.ACTIVE, ["advance", "hold", "reject", "withdraw"]),
    (State.ON_HOLD, ["resume", "reject", "withdraw"]),
    (State.COMPLETED, ["reject", "withdraw"]),
    (State.REJECTED, []),
    (State.WITHDRAWN, []),
])
def test_the_progress_page_offers_what_the_properties_allow(client, hr_admin, progress, state, offered):
    ApplicationProgress.objects.filter(pk=progress.pk).update(state=state)
    client.force_login(hr_admin)
    page = client.get(f"/processes/applications/{progress.application_id}/").content.decode()
    assert re.findall(r'<option value="(\w+)">', page.split('name="action"')[1].split("</select>")[0]
                      if 'name="action"' in page else "") == offered
