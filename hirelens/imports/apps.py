from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "hirelens.imports"
    label = "imports"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from hirelens.core.roles import Perm
        from hirelens.core.shell import NavEntry, nav_register

        nav_register(
            NavEntry(order=40, label=_("数据导入"), url_name="imports:index", perm=Perm.CANDIDATES_IMPORT),
        )
