import time

from django.utils.cache import add_never_cache_headers

# The idle timeout is refreshed at most this often; saving the session on every request
# would cost a database write per page view.
SESSION_TOUCH_SECONDS = 300


class NoStoreForAuthenticatedMiddleware:
    """Pages seen by a logged-in user may show personal data: never cache them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


class DanishFirstLocaleMiddleware:
    """Danish unless the user chose another language with the language switch.

    Django's LocaleMiddleware follows the browser's Accept-Language, which would show an
    English UI to most municipal staff whose browsers are installed in English.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class IdleTimeoutMiddleware:
    """Sessions end after SESSION_COOKIE_AGE seconds without activity.

    Instead of Django's SESSION_SAVE_EVERY_REQUEST (a write on every request), the
    session's expiry is pushed forward when it was last pushed more than
    SESSION_TOUCH_SECONDS ago, so the idle timeout is exact to within five minutes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty() and "_auth_user_id" in session:
            now = int(time.time())
            if now - session.get("_touched", 0) >= SESSION_TOUCH_SECONDS:
                session["_touched"] = now  # marks the session modified: saved with a new expiry
        return response
