"""Every view of municipality data must have an isolation test.

The test walks the URLconf and reads the test files: each URL name of our apps must
appear in a call to `assert_other_municipality_gets_404` somewhere under tests/, unless
it is listed below as not showing municipality data. Later apps cannot forget it.
"""

import ast
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

OUR_NAMESPACES = {"accounts", "datasets", "logbooks", "projects", "workshops", "reporting"}

# Views that show no municipality data, or only the user's own account.
NOT_TENANT_DATA = {
    # Scoped to the administrator's own municipality; no object id in the URL
    # (tests/accounts/test_admin_views.py::test_municipality_wide_pages_only_show_own_municipality).
    "accounts:admin_home",
    "accounts:user_invite",
    "accounts:unit_create",
    "accounts:municipality_settings",
    "accounts:login",
    "accounts:logout",
    "accounts:password_change",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    # No object id in the URL; a municipality's user sees only their own municipality and the
    # installation-wide total, never another municipality (tests/reporting/
    # test_national_overview.py::test_an_analytiker_sees_own_municipality_and_the_total_but_no_other).
    "reporting:national_overview",
}


def _names(resolver: URLResolver, namespace: str | None = None):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _names(pattern, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and namespace:
            yield f"{namespace}:{pattern.name}"


def _covered_names() -> set[str]:
    covered = set()
    for path in Path(__file__).parent.rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in {
                "assert_other_municipality_gets_404"
            }:
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Constant) and isinstance(inner.value, str) and ":" in inner.value:
                        covered.add(inner.value)
    return covered


def test_every_tenant_view_has_an_isolation_test():
    names = {name for name in _names(get_resolver()) if name.split(":")[0] in OUR_NAMESPACES}
    missing = sorted(names - NOT_TENANT_DATA - _covered_names())
    assert not missing, f"Views without an isolation test: {missing}"


def test_the_walker_finds_the_administration_views():
    # Guards the guard: if the walker found nothing, the test above could not fail.
    names = set(_names(get_resolver()))
    assert "accounts:user_detail" in names and "accounts:admin_home" in names
