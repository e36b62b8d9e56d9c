from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "hirelens.analytics"
    label = "analytics"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from hirelens.core.roles import Perm
        from hirelens.core.shell import NavEntry, nav_register

        nav_register(
            NavEntry(order=100, label=_("数据分析"), url_name="analytics:index", perm=Perm.ANALYTICS_VIEW),
        )
