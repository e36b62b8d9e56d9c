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


def test_a_link_actor_is_built_only_from_a_live_candidate_link(org):
    from datetime import timedelta

    from django.utils import timezone

    from hirelens.core import tokens
    from hirelens.core.actors import LinkActor, link_seal
    from hirelens.interviews.models import SESSION_LINK, InterviewSession
    from hirelens.interviews.tests.factories import InterviewSessionFactory

    session = InterviewSessionFactory(application__candidate__organization=org)
    token = tokens.mint(SESSION_LINK, session)
    actor = tokens.resolve_actor(SESSION_LINK, token)  # the one way in: a token found live
    candidate = session.application.candidate
    assert (actor.kind, actor.link.pk, actor.candidate_id, actor.organization_id) == ("interviews.session", session.pk, candidate.pk, org.pk)
    assert actor.owns(candidate) and actor.opened("interviews.session", session) and not actor.opened("scheduling.link", session)
    assert actor.audit_label == f"link:interviews.session:{session.pk}"
    with pytest.raises(PermissionDenied):
        require_perm(actor, "candidates.manage")  # never a user
    with pytest.raises(PermissionDenied):
        LinkActor(kind="interviews.session", link=session, candidate=candidate, seal=object())
    with pytest.raises(PermissionDenied):
        link_seal()  # held by hirelens.core.tokens; no one else may claim it
    with pytest.raises(TypeError):
        dataclasses.replace(actor, candidate=CandidateFactory(organization=org))
    InterviewSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(tokens.LinkDead) as dead:
        tokens.resolve_actor(SESSION_LINK, token)
    assert (dead.value.status, dead.value.status_code) == ("expired", 410)
    with pytest.raises(tokens.LinkDead) as dead:
        tokens.resolve_actor(SESSION_LINK, "no-such-token")
    assert (dead.value.status, dead.value.status_code) == ("unknown", 404)
    with translation.override("en"):
        assert actor_label_text(actor.audit_label) == "The candidate (AI video interview link)"
    assert actor_label_text("link:gone.kind:3") == "候选人本人（候选人链接）"  # a kind no longer declared: still in words
