"""Capabilities, not flags (issue 23 §5): a PortalActor comes only from the portal's access function; the system acts
under a named SystemActor that the audit log shows in words."""

from __future__ import annotations

import dataclasses
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import translation

from hirelens.candidates.tests.factories import CandidateFactory
from hirelens.core.access import require_perm
from hirelens.core.actors import PortalActor, SystemActor, actor_label_text, portal_seal
from hirelens.core.audit import audit_record, audit_verify_chain
from hirelens.core.models import AuditEvent, audit_chain_key

pytestmark = pytest.mark.django_db


def test_a_portal_actor_is_built_only_by_the_portals_access(org, portal_actor):
    candidate, other = CandidateFactory(organization=org), CandidateFactory(organization=org)
    actor = portal_actor(candidate)  # through hirelens.portal.access, from a verified token
    assert actor.owns(candidate) and not actor.owns(other) and actor.organization_id == org.pk
    with pytest.raises(PermissionDenied):
        require_perm(actor, "candidates.manage")  # never a user: no staff permission

    with pytest.raises(PermissionDenied):
        PortalActor(link=actor.link, candidate=candidate, seal=object())
    with pytest.raises(TypeError):
        PortalActor(link=actor.link, candidate=other)  # the seal is required
    with pytest.raises(TypeError):
        dataclasses.replace(actor, candidate=other)  # a copy for another candidate needs the seal too
    with pytest.raises(PermissionDenied):
        portal_seal()  # held by hirelens.portal.access; no one else may claim it
    with pytest.raises(dataclasses.FrozenInstanceError):
        actor.candidate = other


def test_system_actions_are_audited_with_the_system_actors_words(client, org, hr_admin):
    call_command("encryption_rotate", "--skip-files", stdout=io.StringIO())
    entry = AuditEvent.objects.get(action=AuditEvent.Action.KEY_ROTATION)
    assert (entry.actor_id, entry.actor_label) == (None, "system:command:密钥轮换")
    assert entry.actor_text == "系统（运维命令） · 密钥轮换"
    with translation.override("en"):
        assert entry.actor_text == "System (maintenance command) · Key rotation"
        assert str(SystemActor(name="worker", reason="保留期限到期清理")) == "System (background job) · Retention limit reached"
    assert actor_label_text("hr@example.com") == "hr@example.com"  # staff keep their e-mail
    assert audit_verify_chain(audit_chain_key(None)).ok

    # the organization's log page shows an entry of the system in words, never its stored code
    audit_record(action=AuditEvent.Action.DELETE, actor=SystemActor(name="worker", reason="保留期限到期清理"),
                 organization_id=org.pk, object_type="retention.recordings", object_id="1")
    client.force_login(hr_admin)
    page = client.get("/audit/").content.decode()
    assert "系统（后台任务） · 保留期限到期清理" in page and "system:worker" not in page
    with pytest.raises(ValueError):
        SystemActor(name="nobody")
