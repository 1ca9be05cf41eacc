from django.http import HttpRequest, JsonResponse


def resolve(request: HttpRequest) -> JsonResponse:
    """Placeholder replaced by the resolver."""
    return JsonResponse([], safe=False)
