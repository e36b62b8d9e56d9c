from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _platform_notices(sender, apps=None, **kwargs) -> None:
    """The platform's consent notices are rows (a data migration writes them). Django's ``flush`` (a transactional
    test's teardown) empties every table and then sends ``post_migrate``, as it does to recreate content types and
    permissions: put the notices back there too, so that no later test or instance finds a database without them.
    Idempotent (get_or_create); a database migrated back below the notices' table has no model here and is left alone."""
    from .notices import ensure_platform_notices

    try:
        model = (apps or sender.apps).get_model("interviews", "ConsentNotice")
    except LookupError:
        return
    ensure_platform_notices(model)


class InterviewsConfig(AppConfig):
    name = "hirelens.interviews"
    label = "interviews"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from hirelens.candidates.hub import hub_register
        from hirelens.core.jobs import idle_release_register
        from hirelens.core.shell import NavEntry, nav_register

        from .analysis_bridge import models_release
        from .selectors import hub_sessions

        nav_register(
            NavEntry(order=70, label=_("AI视频面试"), url_name="interviews:index"),
        )
        post_migrate.connect(_platform_notices, sender=self, dispatch_uid="interviews.platform_notices")
        hub_register("interviews", "sessions", hub_sessions)  # the candidate hub's 面试 tab
        idle_release_register("analysis", models_release)  # an idle analysis worker frees the models
