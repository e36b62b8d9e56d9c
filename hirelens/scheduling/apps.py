from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "hirelens.scheduling"
    label = "scheduling"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from hirelens.candidates.timeline import register_timeline_kind

        register_timeline_kind("interview.scheduled", _("安排了面试：%(title)s"))
        register_timeline_kind("interview.rescheduled", _("面试改期：%(title)s"))
        register_timeline_kind("interview.cancelled", _("取消了面试：%(title)s"))
        register_timeline_kind("interview.completed", _("面试已结束：%(title)s"))
        register_timeline_kind("interview.link_opened", _("打开了面试链接（%(kind)s）"))
