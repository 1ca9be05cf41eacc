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
