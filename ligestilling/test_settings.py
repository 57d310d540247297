"""Settings for the test suite: the real settings with test-friendly switches."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-for-checks-0123456789")
os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")
os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"

from .settings import *  # noqa: E402,F403

# Hashing with the production hasher makes each login cost ~0.3 s; tests do hundreds.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Fails any request that changes dashboard data without raising the data version.
MIDDLEWARE = ["tests.guards.DataVersionGuardMiddleware", *MIDDLEWARE]  # noqa: F405
