"""The language a page or an answer is given in: chosen once per request by
`web.middleware.LanguageMiddleware`, read everywhere through `current_language`."""

from django.utils.translation import get_language


def current_language() -> str:
    """ "en" or "vi" (the default) for the request being answered."""
    return "en" if (get_language() or "vi").startswith("en") else "vi"
