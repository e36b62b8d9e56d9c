from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FairnessConfig(AppConfig):
    name = "hirelens.fairness"
    verbose_name = _("偏差审计与记录")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from hirelens.core.roles import Perm
        from hirelens.core.shell import NavEntry, nav_register

        nav_register(
            NavEntry(order=160, label=_("偏差审计"), url_name="fairness:report", perm=Perm.COMPLIANCE_VIEW),
        )
