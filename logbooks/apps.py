from django.apps import AppConfig


class LogbooksConfig(AppConfig):
    name = "logbooks"
