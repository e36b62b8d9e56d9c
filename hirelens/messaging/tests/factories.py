import factory

from hirelens.candidates.tests.factories import CandidateFactory
from hirelens.messaging.models import WeChatBinding

__all__ = ["CandidateFactory", "WeChatBindingFactory"]


class WeChatBindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WeChatBinding

    candidate = factory.SubFactory(CandidateFactory)
    organization = factory.SelfAttribute("candidate.organization")
    openid = factory.Sequence(lambda n: f"oKx9a5Y2bP3cQ4dR5eS6fT{n:06d}")
    followed = True
