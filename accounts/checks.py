"""System checks of the deployment that Django's own checks do not cover."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

#: Keys that are published: in .env.example, the Dockerfile's build step, the settings'
#: development default. Compared in lower case, as prefixes.
PLACEHOLDER_PREFIXES = ("change-me", "changeme", "build-only", "django-insecure")
MIN_LENGTH = 50
MIN_DISTINCT_CHARACTERS = 5


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


@checks.register(checks.Tags.security, deploy=True)
def secret_key_is_not_a_placeholder(app_configs=None, **kwargs):
    """`check --deploy` fails for a published or guessable SECRET_KEY: anyone who knows it
    can forge a session cookie for any user, or a password-reset link. Django's own check
    (security.W009) is a warning and lets the placeholder of .env.example through."""
    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:
        return []  # ligestilling.E001 says so
    problems = []
    if key.strip().lower().startswith(PLACEHOLDER_PREFIXES):
        problems.append("it is a published placeholder")
    if len(key) < MIN_LENGTH:
        problems.append(f"it is shorter than {MIN_LENGTH} characters")
    if len(set(key)) < MIN_DISTINCT_CHARACTERS:
        problems.append(f"it has fewer than {MIN_DISTINCT_CHARACTERS} different characters")
    if not problems:
        return []
    return [checks.Error(
        f"SECRET_KEY must be a long random secret: {'; '.join(problems)}.",
        hint='Generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))"',
        id="ligestilling.E002",
    )]
