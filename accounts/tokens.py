"""The tokens of password-reset and invitation links."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class TokenGenerator(PasswordResetTokenGenerator):
    """Django's tokens (invalid once the password or the last login changes), also tied to
    the user's session generation: a link sent before a deactivation, or before an
    administrator removed every role, does not work afterwards."""

    def _make_hash_value(self, user, timestamp):
        value = super()._make_hash_value(user, timestamp)
        generation = getattr(user, "session_generation", 0)
        return f"{value}:{generation}" if generation else value


token_generator = TokenGenerator()
