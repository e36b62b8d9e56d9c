import factory
from django.utils import timezone

from hirelens.candidates.tests.factories import ApplicationFactory
from hirelens.interviews.models import InterviewSession
from hirelens.interviews.services import _hash

QUESTIONS = [
    {"text": "请介绍一次你与团队协作解决问题的经历。", "prep_s": 5, "answer_s": 20, "retakes": 1},
    {"text": "客户拒绝签约时你会怎么做？", "prep_s": 5, "answer_s": 20, "retakes": 0},
]


class InterviewSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterviewSession

    application = factory.SubFactory(ApplicationFactory)
    organization = factory.SelfAttribute("application.organization")
    token_hash = factory.Sequence(lambda n: _hash(f"token-{n}"))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=3))
    questions = factory.LazyFunction(lambda: [dict(q) for q in QUESTIONS])
    practice_question = "请用三个词介绍你自己。"
