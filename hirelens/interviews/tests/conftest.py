import pytest


@pytest.fixture(autouse=True)
def platform_notices(db):
    """Transactional tests flush the tables the data migration filled: put the notices back."""
    from hirelens.interviews.models import ConsentNotice
    from hirelens.interviews.notices import ensure_platform_notices

    ensure_platform_notices(ConsentNotice)
