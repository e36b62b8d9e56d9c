from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "hirelens.feedback"
    label = "feedback"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from hirelens.core.roles import Perm
        from hirelens.core.shell import NavEntry, nav_register

        nav_register(
            NavEntry(order=90, label=_("反馈与调查"), url_name="feedback:dashboard", perm=Perm.MESSAGING_VIEW),
        )
