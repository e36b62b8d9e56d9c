"""The AI interview is offered for an application that is still open (issue 23 §7: ``Application.is_open``, not a
status comparison in each template): the candidate's applications tab and the progress page agree, for every status."""

import pytest

from hirelens.candidates.models import Application
from hirelens.workflows.tests.factories import make_application, make_position


@pytest.mark.parametrize("status", Application.Status.values)
def test_the_pages_offer_an_ai_interview_only_for_an_open_application(client, org, hr_admin, status):
    application = make_application(make_position(org, title="销售代表"), "赵磊")
    Application.objects.filter(pk=application.pk).update(status=status)
    application.refresh_from_db()
    assert application.is_open == (status == Application.Status.ACTIVE)
    client.force_login(hr_admin)
    tab = client.get(f"/candidates/{application.candidate_id}/?tab=applications").content.decode()
    progress = client.get(f"/processes/applications/{application.pk}/").content.decode()
    assert ('data-testid="send-ai-interview"' in tab) == application.is_open
    assert ('data-testid="send-ai-interview"' in progress) == application.is_open
