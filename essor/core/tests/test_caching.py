"""What `remember` keeps, for how long, and how it is turned off."""

from essor.core.caching import public_content_changed, remember


def _counter() -> tuple[list[int], object]:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    return calls, compute


def test_a_remembered_read_is_computed_once_until_public_content_changes():
    calls, compute = _counter()
    assert remember("essai", compute) == 1
    assert remember("essai", compute) == 1 and len(calls) == 1
    public_content_changed()
    assert remember("essai", compute) == 2


def test_without_the_data_cache_every_call_computes(settings):
    settings.ESSOR_DATA_CACHE = False
    calls, compute = _counter()
    remember("essai", compute)
    remember("essai", compute)
    assert len(calls) == 2


def test_a_kept_read_lasts_until_its_key_is_deleted_and_never_without_the_data_cache(settings):
    from django.core.cache import cache

    from essor.core.caching import kept

    calls, compute = _counter()
    assert kept("essai-garde", compute, 60) == 1
    assert kept("essai-garde", compute, 60) == 1
    cache.delete("essai-garde")
    assert kept("essai-garde", compute, 60) == 2
    settings.ESSOR_DATA_CACHE = False
    kept("essai-garde", compute, 60)
    assert len(calls) == 3
