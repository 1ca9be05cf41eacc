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
