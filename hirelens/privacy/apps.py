from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "hirelens.privacy"
    label = "privacy"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from hirelens.candidates.timeline import register_timeline_kind
        from hirelens.core.roles import Perm
        from hirelens.core.shell import NavEntry, nav_register

        register_timeline_kind("privacy.request", _("提出了个人信息请求：%(kind)s"))
        register_timeline_kind("privacy.done", _("个人信息请求已处理：%(kind)s"))
        register_timeline_kind("privacy.refused", _("个人信息请求被拒绝：%(kind)s"))
        nav_register(
            NavEntry(order=130, label=_("隐私请求"), url_name="privacy:list", perm=Perm.CANDIDATES_MANAGE),
        )
