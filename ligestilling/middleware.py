"""Requests refused before any view sees them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBadRequest
from django.template.loader import render_to_string

NUL = "\x00"


def bad_request() -> HttpResponseBadRequest:
    """The 400 page (Danish, standalone like the 500 page: it is shown before the language,
    the user or the session of the request are known)."""
    return HttpResponseBadRequest(render_to_string("400.html"))


class RefuseNulBytesMiddleware:
    """A NUL byte in the path, in a query parameter (name or value) or in a form field
    that is not a file gets 400 and the error page.

    No text in this application contains a NUL byte, and PostgreSQL refuses it in every
    text column, so such a value could only turn into a 500 (or be echoed into a page)
    wherever it reached the database. A cookie with a NUL byte is ignored as if it were
    absent (a session key never contains one).

    Form fields are checked in process_view, after CsrfViewMiddleware has parsed the body;
    a view exempt from CSRF reads its own body and is left to do its own checks.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        for name in [name for name, value in request.COOKIES.items() if NUL in name or NUL in value]:
            del request.COOKIES[name]
        if NUL in request.path or _has_nul(request.GET):
            return bad_request()
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if request.method == "POST" and not getattr(view_func, "csrf_exempt", False) and _has_nul(request.POST):
            return bad_request()
        return None


def _has_nul(data) -> bool:
    return any(NUL in name or any(NUL in value for value in values) for name, values in data.lists())
