"""The ways machine clients written for DHIS2 authenticate, next to our bearer token.

DHIS2 integrations send either HTTP Basic (`username:password`) or a personal access token as
`Authorization: ApiToken <token>`. Both map onto dxmonitor's own accounts: Basic checks the
password of a dxmonitor user (with the log-in page's brake on guessing), ApiToken takes a
dxmonitor API token (`dxm_…`) exactly as `Bearer` does.
"""

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja.security import HttpBasicAuth, HttpBearer

from . import throttle
from .api import SessionAuth, TokenAuth, challenge
from .queries import user_for_token


class BasicAuth(HttpBasicAuth):
    """`Authorization: Basic base64(username:password)` of a dxmonitor account."""

    def __call__(self, request: HttpRequest):
        challenge(request, "Basic")
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, username: str, password: str):
        # Guesses through this channel and the log-in page count together.
        if throttle.refused(request, username):
            return None
        user = authenticate(request, username=username, password=password)
        if user is None or not user.is_active:
            throttle.failed(request, username)
            return None
        throttle.succeeded(request, username)
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
