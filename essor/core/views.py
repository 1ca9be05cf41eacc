from django.http import HttpRequest, HttpResponse


def bare_benchmark_view(request: HttpRequest) -> HttpResponse:
    """The reference the benchmarks compare pages against: Django with no template or query."""
    return HttpResponse("<!DOCTYPE html><title>bare</title><p>ok</p>")
