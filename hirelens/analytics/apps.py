from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "hirelens.analytics"
    label = "analytics"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from hirelens.core import demo, events
        from hirelens.core.roles import Perm
        from hirelens.core.shell import NavEntry, nav_register

        from .services import demo_rebuild
        from .subscribers import on_event

        # the funnel is recounted from the writers' events, in their transaction (subscribers.py)
        events.subscribe_in_transaction(on_event)
        # the demo writes rows directly (backdated): the funnel is counted anew once every app's demo step ran
        demo.demo_done_register(demo_rebuild)

        nav_register(
            NavEntry(order=100, label=_("数据分析"), url_name="analytics:index", perm=Perm.ANALYTICS_VIEW),
        )
