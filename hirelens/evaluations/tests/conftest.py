import pytest

from .factories import build


@pytest.fixture
def ev(org, hr_admin, interviewer, hiring_manager):
    return build(org, hr_admin, interviewer, hiring_manager)
