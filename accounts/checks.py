"""System checks of the deployment that Django's own checks do not cover."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register(checks.Tags.security, deploy=True)
def secret_key_is_set(app_configs=None, **kwargs):
    """`check --deploy` fails without a SECRET_KEY when DEBUG is off (sessions, CSRF and
    the invitation links are all signed with it). A deploy check, so that commands that
    sign nothing (makemigrations) run without one; servers refuse it in wsgi.py/asgi.py."""
    try:
        settings.SECRET_KEY  # noqa: B018  (Django raises when it is empty)
    except ImproperlyConfigured:
        return [checks.Error("SECRET_KEY must be set when DEBUG is off.", id="ligestilling.E001")]
    return []
