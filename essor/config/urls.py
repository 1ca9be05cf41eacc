from django.conf import settings
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.sitemap_generator import Sitemap as WagtailSitemap
from wagtail.documents import urls as wagtaildocs_urls

from essor.events.sitemaps import SITEMAPS as EVENT_SITEMAPS
from essor.initiatives.sitemaps import SITEMAPS as INITIATIVE_SITEMAPS
from essor.library.sitemaps import SITEMAPS as LIBRARY_SITEMAPS
from essor.members.sitemaps import SITEMAPS as MEMBER_SITEMAPS
from essor.news.sitemaps import SITEMAPS as NEWS_SITEMAPS

sitemaps = {
    "pages": WagtailSitemap,
    **MEMBER_SITEMAPS,
    **INITIATIVE_SITEMAPS,
    **LIBRARY_SITEMAPS,
    **EVENT_SITEMAPS,
    **NEWS_SITEMAPS,
}

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("compte/", include("essor.accounts.urls")),
    path("territoires/", include("essor.territories.urls")),
    path("reseau/", include("essor.members.urls")),
    path("initiatives/", include("essor.initiatives.urls")),
    path("bibliotheque/", include("essor.library.urls")),
    path("evenements/", include("essor.events.urls")),
    path("actualites/", include("essor.news.urls")),
    path("lettres/", include("essor.letters.urls")),
    path("recherche/", include("essor.search.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
]

if settings.ESSOR_BENCHMARK_ROUTES:
    from essor.core.views import bare_benchmark_view, wagtail_benchmark_view

    urlpatterns.append(path("__bench__/bare/", bare_benchmark_view))
    urlpatterns.append(path("__bench__/wagtail/", wagtail_benchmark_view))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves every other path from the page tree: keep it last.
urlpatterns.append(path("", include(wagtail_urls)))
