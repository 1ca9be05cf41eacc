"""Addresses reversed once per process and filled per line: the same as reverse() gives."""

from django.urls import reverse, set_script_prefix

from essor.core.paths import address_maker, path_of, slug_path


def test_a_slug_path_is_what_reverse_gives():
    assert slug_path("members:authority")("saint-denis") == reverse(
        "members:authority", args=["saint-denis"]
    )
    assert path_of("members:directory") == reverse("members:directory")


def test_a_route_of_two_arguments_puts_each_in_its_place():
    sheet = address_maker("initiatives:sheet", 987654321, "slug-mark")
    assert sheet(12, "cooperer") == reverse("initiatives:sheet", args=[12, "cooperer"])


def test_paths_follow_the_script_prefix_the_site_is_served_under():
    try:
        set_script_prefix("/essor/")
        lille = slug_path("members:authority")("lille")
        assert lille.startswith("/essor/")
        assert lille == reverse("members:authority", args=["lille"])
        assert path_of("members:directory").startswith("/essor/")
    finally:
        set_script_prefix("/")
    assert not path_of("members:directory").startswith("/essor/")


def test_the_layout_links_are_the_routes_and_versioned_assets():
    from django.templatetags.static import static

    from essor.core.paths import layout_links

    links = layout_links()
    assert links["login"] == reverse("accounts:login")
    assert links["sitemap"] == reverse("sitemap")
    assert links["css"] == static("essor/css/essor.css")
