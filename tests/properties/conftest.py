"""Property-based tests (hypothesis): where a rule is arithmetic, check it for many generated inputs.

Each test bounds its own examples (``max_examples`` 40-100) so the whole folder runs in well under a minute on one
core; ``deadline=None`` because two shared cores make single examples slow at times (no timing asserts). Failing
examples are kept under the var dir (``HIRELENS_VAR_DIR``), not in the work tree, so a rerun replays them first.
"""

from django.conf import settings as django_settings
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

settings.register_profile(
    "hirelens",
    deadline=None,
    max_examples=60,
    database=DirectoryBasedExampleDatabase(str(django_settings.VAR_DIR / "hypothesis")),
    # a property that needs the database runs its examples inside one test's transaction (function-scoped fixtures)
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile("hirelens")
