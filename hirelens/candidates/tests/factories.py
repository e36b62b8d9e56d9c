import factory

from hirelens.accounts.tests.factories import OrganizationFactory
from hirelens.candidates.models import Application, Candidate
from hirelens.positions.tests.factories import PositionFactory


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    organization = factory.SubFactory(OrganizationFactory)
    full_name = factory.Sequence(lambda n: f"候选人{n}")
    phone = factory.Sequence(lambda n: f"1390000{n:04d}")
    email = factory.Sequence(lambda n: f"cand{n}@example.com")


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    candidate = factory.SubFactory(CandidateFactory)
    organization = factory.SelfAttribute("candidate.organization")
    position = factory.SubFactory(PositionFactory, organization=factory.SelfAttribute("..organization"))
    stage = "AI视频面试"
