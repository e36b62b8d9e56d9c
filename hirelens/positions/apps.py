from django.apps import AppConfig


class PositionsConfig(AppConfig):
    name = "hirelens.positions"
    label = "positions"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _
        from django.utils.translation import pgettext_lazy

        from hirelens.core.shell import DashboardSection, DashboardStat, NavEntry, dashboard_register, nav_register

        from .access import visible_positions

        nav_register(NavEntry(order=20, label=pgettext_lazy("导航", "职位"), url_name="positions:index"))
        dashboard_register(
            DashboardStat(order=10, label=_("招聘中的职位"), url_name="positions:index", testid="stat-positions",
                          count=lambda user: visible_positions(actor=user).filter(status="open").count()),
            DashboardSection(order=10, template="positions/_dashboard_mine.html",
                             context=lambda user: {"positions": visible_positions(actor=user).filter(assignments__user=user)
                                                   .distinct()[:8]}),
        )
