from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "hirelens.candidates"
    label = "candidates"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _
        from django.utils.translation import pgettext_lazy

        from hirelens.core.shell import DashboardStat, NavEntry, dashboard_register, nav_register

        from .access import visible_candidate_count

        nav_register(NavEntry(order=30, label=pgettext_lazy("导航", "候选人"), url_name="candidates:index"))
        dashboard_register(DashboardStat(order=20, label=_("可查看的候选人"), url_name="candidates:index",
                                         testid="stat-candidates", count=lambda user: visible_candidate_count(actor=user)))
