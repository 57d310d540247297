from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Municipalities and users")

    def ready(self):
        from ligestilling import lookups  # noqa: F401  (the `in` lookup for integers out of range)

        from . import checks, signals  # noqa: F401  (system checks; login auditing hooks)
