from __future__ import annotations

from hirelens.candidates.tests.factories import ApplicationFactory, CandidateFactory


def candidate_in(org, **kwargs):
    return CandidateFactory(organization=org, **kwargs)


def application_in(org, **kwargs):
    return ApplicationFactory(candidate__organization=org, **kwargs)
