"""The ways machine clients written for DHIS2 authenticate, next to our bearer token.

DHIS2 integrations send either HTTP Basic (`username:password`) or a personal access token as
`Authorization: ApiToken <token>`. Both map onto dxmonitor's own accounts: Basic checks the
password of a dxmonitor user (with the log-in page's brake on guessing), ApiToken takes a
dxmonitor API token (`dxm_…`) exactly as `Bearer` does.
"""

from django.contrib.auth import authenticate
from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBasicAuth, HttpBearer

from .api import SessionAuth, TokenAuth, challenge
from .queries import user_for_token

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def _failures_key(request: HttpRequest, username: str) -> str:
    # The same key as the log-in page: guesses through either channel count together.
    return f"login-failures:{request.META.get('REMOTE_ADDR', '')}:{username.strip().lower()[:150]}"


class BasicAuth(HttpBasicAuth):
    """`Authorization: Basic base64(username:password)` of a dxmonitor account."""

    def __call__(self, request: HttpRequest):
        challenge(request, "Basic")
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, username: str, password: str):
        key = _failures_key(request, username)
        if cache.get(key, 0) >= MAX_FAILURES:
            return None
        user = authenticate(request, username=username, password=password)
        if user is None or not user.is_active:
            cache.add(key, 0, WINDOW_SECONDS)
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, WINDOW_SECONDS)
            return None
        cache.delete(key)
        request.user = user
        request.api_client = f"basic:{user.get_username()}"[:120]  # type: ignore[attr-defined]
        return user


class ApiTokenAuth(HttpBearer):
    """`Authorization: ApiToken dxm_…`, DHIS2's spelling of a bearer token."""

    openapi_scheme = "apitoken"

    def __call__(self, request: HttpRequest):
        challenge(request, "ApiToken")
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str):
        found = user_for_token(token.strip())
        if found is None:
            return None
        user, api_token = found
        request.user = user
        request.api_client = api_token.name  # type: ignore[attr-defined]
        return user


# Every way a client may post values in bulk; a browser session keeps its CSRF check.
BULK_AUTH = [TokenAuth(), ApiTokenAuth(), BasicAuth(), SessionAuth()]
