import pytest

from essor.core.testing import assert_page_ok

pytestmark = pytest.mark.django_db


def test_home_page_is_served_with_the_accessible_layout(client):
    html = assert_page_ok(client.get("/"))
    assert '<html lang="fr"' in html
    assert 'href="#contenu"' in html  # skip link
    assert 'id="contenu"' in html and "<main" in html
    assert 'role="banner"' in html and 'role="contentinfo"' in html


def test_footer_links_to_the_legal_pages(client):
    html = assert_page_ok(client.get("/"))
    for slug in ("mentions-legales", "accessibilite", "donnees-personnelles"):
        assert f"/{slug}/" in html
        assert_page_ok(client.get(f"/{slug}/"))


def test_unknown_page_is_a_french_404(client):
    html = client.get("/page-qui-n-existe-pas/").content.decode()
    assert "Page introuvable" in html


def test_no_demo_banner_unless_the_site_is_a_demo(client):
    assert "données de démonstration" not in client.get("/").content.decode()


def test_menu_entries_from_modules_and_home_cards(client):
    html = assert_page_ok(client.get("/"))
    assert 'id="navigation-principale"' in html
    assert 'href="/reseau/"' in html  # registered by the members module through a hook


def test_print_stylesheet_and_no_external_resources(client):
    html = assert_page_ok(client.get("/"))
    assert 'media="print"' in html
    assert "http://" not in html.split("<body")[0].replace("http://testserver", "")
    assert "https://" not in html.split("<body")[0]
