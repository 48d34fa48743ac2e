"""The installable entry app: its web app manifest and its service worker, served from the site root.

The service worker must be served from `/` for its scope to cover `/collect/`, `/login/` and
`/logout/`; it is a template so that it names the static files by the URLs the storage gives
them, and its cache name changes with them (a new release replaces the old files on devices).
"""

import functools
import hashlib
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# Front-end files the entry pages need, kept on the device when the worker installs.
SHELL = [
    "web/site.css",
    "web/entry.css",
    "web/entry.js",
    "web/offline.js",
    "vendor/htmx/htmx.min.js",
    "web/offline/icon-192.png",
]


@functools.cache
def _contents() -> bytes:
    """A digest of the kept files (their URLs do not change when their contents do)."""
    digest = hashlib.sha256()
    for path in SHELL:
        found = finders.find(path)
        if found:
            digest.update(Path(found).read_bytes())
    return digest.digest()


@require_GET
@cache_control(no_cache=True, max_age=0)
def service_worker(request: HttpRequest) -> HttpResponse:
    body = render_to_string(
        "web/offline/sw.js",
        {
            "assets": [static(path) for path in SHELL],
            "version": "@version@",
            "collect": reverse("web:collect"),
            "bundle": reverse("api:offline"),
            "login": reverse("web:login"),
            "logout": reverse("web:logout"),
            "text": {
                "title": _("Not kept on this device"),
                "heading": _("No connection"),
                "body": _(
                    "This page was not kept on this device. The data-entry pages you opened online are."
                ),
                "link": _("Data entry"),
            },
        },
    )
    # A release that changes the worker or the files it keeps gets a new cache.
    body = body.replace("@version@", hashlib.sha256(body.encode() + _contents()).hexdigest()[:12])
    return HttpResponse(body, content_type="application/javascript; charset=utf-8")


@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "name": _("dxmonitor data entry"),
            "short_name": _("Data entry"),
            "description": _("Enter the figures of your commune and villages, with or without a connection."),
            "lang": "vi",
            "start_url": reverse("web:collect"),
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#174ea6",
            "icons": [
                {"src": static("web/offline/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("web/offline/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            ],
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
