"""Vietnamese first: pages speak Vietnamese unless the user chose English with the switch.

Many officials' computers are set to English; their browsers must not turn the interface
English behind their backs. The JSON API still honours Accept-Language for machine clients.
"""

from django.conf import settings
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation

from dxmonitor.common.hygiene import control_character


class LanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None


class InputHygieneMiddleware:
    """Query parameters, form fields and the names of uploaded files holding a control character
    (NUL and the like, which PostgreSQL cannot store and no one types) are refused with a 400
    before any view reads them: JSON under /api/, a Vietnamese page elsewhere. JSON bodies are
    checked by the API's parser, bulk payloads value by value, files row by row."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = self._control(request)
        if found is None:
            return self.get_response(request)
        where, bad = found
        en = f"{where}: the text holds a control character ({bad}); remove it"
        vi = f"{where}: nội dung có ký tự điều khiển ({bad}); hãy xoá ký tự đó"
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": en, "detail_vi": vi, "errors": []}, status=400)
        message = en if translation.get_language().startswith("en") else vi
        return render(request, "web/bad_input.html", {"message": message}, status=400)

    @staticmethod
    def _control(request) -> tuple[str, str] | None:
        sources = [request.GET]
        if request.method == "POST" and request.content_type in FORM_TYPES:
            sources.append(request.POST)
        for source in sources:
            for key, values in source.lists():
                for text in (key, *values):
                    if bad := control_character(text, multiline=True):
                        return key, bad
        if request.method == "POST" and request.content_type == "multipart/form-data":
            for key, upload in request.FILES.items():
                if bad := control_character(upload.name or "", multiline=False):
                    return key, bad
        return None


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
