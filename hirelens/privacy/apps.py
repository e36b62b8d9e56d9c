from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "hirelens.privacy"
    label = "privacy"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from hirelens.candidates.timeline import register_timeline_kind

        register_timeline_kind("privacy.request", _("提出了个人信息请求：%(kind)s"))
        register_timeline_kind("privacy.done", _("个人信息请求已处理：%(kind)s"))
        register_timeline_kind("privacy.refused", _("个人信息请求被拒绝：%(kind)s"))
