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


def test_start_page_shows_overdue_project_actions(client, world):
    from datetime import timedelta

    from django.utils import timezone

    from projects import services
    from tests.projects.factories import make_project

    t = world.odense
    project = make_project(t)
    services.add_action(project=project, description="Ring til borgerrådgiveren", owner=t.medarbejder,
                        due_date=timezone.localdate() - timedelta(days=2), by=t.leder)
    client.force_login(t.medarbejder)
    body = client.get(reverse("home")).content.decode()
    assert "Ring til borgerrådgiveren" in body
    client.force_login(t.leder)
    assert "Ring til borgerrådgiveren" not in client.get(reverse("home")).content.decode()


def test_navigation_marks_one_section(client, world):
    client.force_login(world.odense.leder)
    body = client.get(reverse("reporting:report_list")).content.decode()
    assert body.count('aria-current="page"') == 1
    assert 'aria-current="page">Rapporter<' in body.replace("\n", "")
