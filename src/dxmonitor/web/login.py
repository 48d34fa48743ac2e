"""Log-in with a brake on password guessing."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def _key(request: HttpRequest, username: str) -> str:
    return f"login-failures:{request.META.get('REMOTE_ADDR', '')}:{username.strip().lower()[:150]}"


class LoginView(auth_views.LoginView):
    """After five wrong passwords for a name from one address, that name waits 15 minutes."""

    template_name = "web/login.html"

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        key = _key(request, request.POST.get("username", ""))
        if cache.get(key, 0) >= MAX_FAILURES:
            messages.error(request, _("Too many failed log-ins. Try again in 15 minutes."))
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        key = _key(self.request, self.request.POST.get("username", ""))
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW_SECONDS)
        return super().form_invalid(form)

    def form_valid(self, form):
        cache.delete(_key(self.request, self.request.POST.get("username", "")))
        return super().form_valid(form)
