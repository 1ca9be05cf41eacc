"""View guards by role. Anonymous users go to the login page; logged-in users without
the role get a 403 with an explanation, never a silent redirect loop."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from essor.core.roles import Role, has_role


def role_required(role: Role) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, role):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        guarded.essor_required_role = role
        return guarded

    return decorator


login_required = role_required(Role.VISITOR)
member_required = role_required(Role.MEMBER)
editor_required = role_required(Role.EDITOR)
administrator_required = role_required(Role.ADMINISTRATOR)
