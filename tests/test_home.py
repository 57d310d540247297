from django.urls import reverse


def test_start_page_offers_what_the_role_allows(client, world):
    client.force_login(world.odense.administrator)
    body = client.get(reverse("home")).content.decode()
    assert "Brugere og enheder" in body and reverse("accounts:admin_home") in body
    client.force_login(world.odense.medarbejder)
    body = client.get(reverse("home")).content.decode()
    assert "Brugere og enheder" not in body and reverse("accounts:admin_home") not in body
    assert "Vejledning" in body


def test_user_without_role_is_told_so(client, world):
    client.force_login(world.outsider)
    assert "ingen rolle" in client.get(reverse("home")).content.decode()


def test_danish_by_default_english_on_request(client, world):
    client.force_login(world.odense.leder)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="da">' in response.content.decode() and "Hvad kan jeg her?" in response.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("home"))
    assert '<html lang="en">' in response.content.decode() and "What can I do here?" in response.content.decode()


def test_guidance_in_both_languages(client, world):
    client.force_login(world.odense.leder)
    assert "Ligestillingsloven" in client.get(reverse("guidance")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "lang=\"en\"" in client.get(reverse("guidance")).content.decode()
