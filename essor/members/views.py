from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def network(request: HttpRequest) -> HttpResponse:
    return render(request, "members/network.html", {})


def authority_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "members/network.html", {})


def person_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "members/network.html", {})
