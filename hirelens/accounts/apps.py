from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hirelens.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from hirelens.core.roles import Perm
        from hirelens.core.shell import NavEntry, nav_register

        nav_register(
            NavEntry(order=140, label=_("成员与角色"), url_name="accounts:user_list", perm=Perm.USERS_MANAGE),
        )
