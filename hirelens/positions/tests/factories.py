import factory

from hirelens.accounts.tests.factories import OrganizationFactory
from hirelens.positions.models import Position, PositionAssignment


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"职位 {n}")
    department = "销售部"
    keywords = ["团队协作"]


class PositionAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PositionAssignment

    position = factory.SubFactory(PositionFactory)
    organization = factory.SelfAttribute("position.organization")
    user = None
    role = "interviewer"
