import logging
import sys

from django.contrib.auth.decorators import login_required
from django.db import OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.csrf import requires_csrf_token

from accounts import access
from accounts.models import Role
from ligestilling.lib import formatting

from .start import start_cards, start_panels


@login_required
def home(request):
    scope = access.get_scope(request.user)
    memberships = request.user.memberships.select_related("unit").order_by("unit__path")
    return render(request, "home.html", {
        "scope": scope,
        "memberships": memberships,
        "cards": start_cards(request, scope),
        "panels": start_panels(request) if scope.is_member else [],
        "roles": Role,
    })


def guidance(request):
    language = formatting.resolve_lang()
    return render(request, f"guidance/guidance_{language}.html")


def healthz(request):
    """For load balancers: the app answers and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


logger = logging.getLogger(__name__)

#: Seconds a client is asked to wait before retrying while the database is unavailable.
RETRY_AFTER_SECONDS = 15


@requires_csrf_token
def server_error(request):
    """The 500 handler; database trouble gets its own answer.

    A stopped database, a statement or lock timeout or a dropped connection is not a
    fault of the page: the user gets "try again in a moment" with 503 and Retry-After,
    and load balancers see the instance as unavailable rather than broken. Rendered
    without the request context: the navigation would need the database.
    """
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError):
        logger.warning("Database unavailable or too slow: %s", error)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(render_to_string("500.html"), status=500)
