from django.apps import AppConfig


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
        hub_register("interviews", "sessions", hub_sessions)  # the candidate hub's 面试 tab
        idle_release_register("analysis", models_release)  # an idle analysis worker frees the models
