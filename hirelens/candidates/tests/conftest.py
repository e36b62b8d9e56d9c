import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """A page request with an English cookie activates English in this thread; start every test in zh-Hans."""
    with translation.override("zh-hans"):
        yield
