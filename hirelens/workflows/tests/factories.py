"""Building processes and applications for tests through the real services."""

from __future__ import annotations

from hirelens.candidates.models import Application, Candidate
from hirelens.positions.models import PositionAssignment
from hirelens.positions.tests.factories import PositionFactory
from hirelens.workflows import services


def make_position(org, **kwargs):
    return PositionFactory(organization=org, time_zone=kwargs.pop("time_zone", "Asia/Shanghai"), **kwargs)


def assign(position, user, role="interviewer"):
    return PositionAssignment.objects.create(organization=position.organization, position=position, user=user, role=role)


def make_application(position, name="候选人"):
    candidate = Candidate.objects.create(organization=position.organization, full_name=name)
    return Application.objects.create(organization=position.organization, candidate=candidate, position=position)


def published_process(actor, position, starter="technical"):
    process = services.process_create(actor=actor, position=position, starter=starter)
    version = services.process_publish(actor=actor, process=process)
    return process, version
