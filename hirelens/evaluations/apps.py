from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "hirelens.evaluations"
    label = "evaluations"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from hirelens.core.shell import NavEntry, nav_register

        nav_register(
            NavEntry(order=80, label=_("评估"), url_name="evaluations:index"),
        )
