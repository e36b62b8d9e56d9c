from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "hirelens.scheduling"
    label = "scheduling"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from hirelens.candidates.hub import hub_register
        from hirelens.candidates.timeline import register_timeline_kind
        from hirelens.core.shell import NavEntry, nav_register

        from .selectors import hub_live_interviews

        # scheduled, rescheduled, cancelled and link_opened: their events declare the text (core.events)
        register_timeline_kind("interview.completed", _("面试已结束：%(title)s"))
        nav_register(
            NavEntry(order=50, label=_("面试安排"), url_name="scheduling:availability"),
            NavEntry(order=60, label=_("全部面试"), url_name="scheduling:interviews"),
        )
        hub_register("interviews", "live", hub_live_interviews)  # the candidate hub's 面试 tab
