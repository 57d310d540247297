from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language

from accounts import access
from accounts.models import Role

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
    language = "en" if (get_language() or "da").startswith("en") else "da"
    return render(request, f"guidance/guidance_{language}.html")


def healthz(request):
    """For load balancers: the app answers and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
