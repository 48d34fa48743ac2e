"""Log-in with a brake on password guessing (`accounts.throttle`)."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from dxmonitor.accounts import throttle


class LoginView(auth_views.LoginView):
    """Too many wrong passwords for a name, from an address or for an account: wait."""

    template_name = "web/login.html"

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if throttle.refused(request, request.POST.get("username", "")):
            messages.error(request, _("Too many failed log-ins. Try again in 15 minutes."))
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        throttle.failed(self.request, self.request.POST.get("username", ""))
        return super().form_invalid(form)

    def form_valid(self, form):
        throttle.succeeded(self.request, self.request.POST.get("username", ""))
        return super().form_valid(form)
