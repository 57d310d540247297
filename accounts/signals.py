"""Login auditing. Django's auth signals are the one hook every login path passes."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit
from .models import canonical_email


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit.record("auth.login", request=request, user=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record("auth.logout", request=request, user=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # Never store the attempted password; the username is what throttling works on.
    audit.record("auth.login_failed", request=request, user=None,
                 username=canonical_email(credentials.get("username", ""))[:254])
