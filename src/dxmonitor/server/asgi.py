"""The application granian's worker processes load: Django behind the request-buffering bridge."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dxmonitor.settings")

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from .bridge import BufferedWSGI

application = BufferedWSGI(
    get_wsgi_application(),
    threads=int(os.environ.get("DXM_WEB_THREADS") or settings.DXM_WEB_THREADS),
    max_body=int(max(settings.DXM_MAX_PAYLOAD_MB, settings.DXM_MAX_UPLOAD_MB) * 1024 * 1024) + 64 * 1024,
    body_timeout=settings.DXM_BODY_TIMEOUT,
    min_rate=settings.DXM_BODY_MIN_RATE,
)
