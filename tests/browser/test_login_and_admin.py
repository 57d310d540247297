import pytest
from django.core import mail

from accounts.models import User
from tests.browser.helpers import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_keyboard_only_login_reaches_the_start_page(page, live_server, world):
    page.goto(f"{live_server.url}/")
    assert "/konto/log-ind/" in page.url
    assert_accessible(page)
    # The e-mail field has focus on arrival; type, Tab to the password, Enter.
    assert page.evaluate("document.activeElement.name") == "username"
    page.keyboard.type(world.odense.leder.email)
    page.keyboard.press("Tab")
    from tests.tenancy import PASSWORD

    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Velkommen")
    assert page.get_by_role("heading", name="Hvad kan jeg her?").is_visible()
    assert_accessible(page)


def test_administrator_creates_a_user(page, live_server, world):
    login(page, live_server, world.odense.administrator)
    page.get_by_role("link", name="Administration", exact=True).first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Opret bruger").click()
    assert_accessible(page)
    page.get_by_label("Fulde navn").fill("Birgitte Nyholm")
    page.get_by_label("E-mailadresse").fill("birgitte@odense.test")
    page.get_by_label("Enhed").select_option(label="— Træning som hjælp")
    page.get_by_label("Rolle").select_option(label="Leder")
    page.get_by_role("button", name="Opret og send invitation").click()
    page.get_by_role("heading", name="Birgitte Nyholm").wait_for()
    assert "invitation er sendt" in page.content()
    assert_accessible(page)
    user = User.objects.get(email="birgitte@odense.test")
    assert user.memberships.get().role == "leder"
    assert any("birgitte@odense.test" in m.to for m in mail.outbox)


def test_guidance_page_is_accessible(page, live_server, world):
    login(page, live_server, world.odense.medarbejder)
    page.goto(f"{live_server.url}/vejledning/")
    assert page.get_by_role("heading", level=1).is_visible()
    assert_accessible(page)
