from axe_playwright_python.sync_playwright import Axe

from tests.tenancy import PASSWORD

_axe = Axe()


def login(page, live_server, user, password: str = PASSWORD) -> None:
    """Log in through the real form (the keyboard-only path has its own test)."""
    page.goto(f"{live_server.url}/konto/log-ind/")
    page.get_by_label("E-mailadresse").fill(user.email)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_label("Adgangskode").press("Enter")
    page.wait_for_url(f"{live_server.url}/")


def serious_violations(page) -> list[dict]:
    results = _axe.run(page)
    return [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


def assert_accessible(page) -> None:
    violations = serious_violations(page)
    assert not violations, "axe: " + "; ".join(
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in violations
    )
