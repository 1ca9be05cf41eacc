"""Routes of the web archive of the letters' issues (included by urls.py, in the "letters"
namespace)."""

urlpatterns: list = []
