from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hirelens.core"
    label = "core"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from .converters import register
        from .roles import Perm
        from .shell import DashboardSection, NavEntry, dashboard_register, nav_register

        register()
        # the shell's own entries; every other app registers its own (core/shell.py)
        nav_register(
            NavEntry(order=10, label=_("工作台"), url_name="core:dashboard"),
            NavEntry(order=150, label=_("审计日志"), url_name="core:audit_log", perm=Perm.AUDIT_VIEW),
            NavEntry(order=170, label=_("组织设置"), url_name="core:organization_settings", perm=Perm.ORG_SETTINGS),
        )
        from .views import dashboard_recent_audit

        dashboard_register(DashboardSection(order=900, template="core/_dashboard_audit.html", context=dashboard_recent_audit))
