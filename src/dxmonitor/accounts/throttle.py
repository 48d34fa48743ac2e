"""A brake on password guessing, shared by the log-in page and HTTP Basic.

Failures are counted three ways over 15 minutes: for one name from
one address, for every name tried from one address (one password tried across every account),
and for one name from every address (one account tried from many). Past any of the limits
those attempts wait for the window to pass, even with the right password. The address is the
client's own: REMOTE_ADDR, or the address a trusted reverse proxy (DXM_TRUSTED_PROXIES) says
it forwarded for; a forwarded address from anyone else is ignored, so nobody can pose as
someone else's address and lock them out.

The counters live in Django's cache, which settings keep in the database so that every web process
counts the same failures.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 15 * 60


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.DXM_TRUSTED_PROXIES)))


def client_address(request: HttpRequest) -> str:
    """The address of the client: the peer, unless the peer is a trusted proxy; then the
    nearest address in X-Forwarded-For that is not itself a trusted proxy."""
    peer = request.META.get("REMOTE_ADDR", "")
    if not _trusted(peer):
        return peer
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    for address in reversed(forwarded):
        if not _trusted(address):
            return address[:64]
        peer = address
    return peer


def _keys(request: HttpRequest, username: str) -> list[tuple[str, int]]:
    address = client_address(request)
    name = username.strip().lower()[:150]
    return [
        (f"login-failures:{address}:{name}", settings.DXM_LOGIN_MAX_FAILURES),
        (f"login-failures-address:{address}", settings.DXM_LOGIN_MAX_FAILURES_PER_ADDRESS),
        (f"login-failures-account:{name}", settings.DXM_LOGIN_MAX_FAILURES_PER_ACCOUNT),
    ]


def refused(request: HttpRequest, username: str) -> bool:
    """Whether this attempt must wait, before the password is even checked."""
    return any(cache.get(key, 0) >= limit for key, limit in _keys(request, username))


def failed(request: HttpRequest, username: str) -> None:
    for key, _limit in _keys(request, username):
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW_SECONDS)


def succeeded(request: HttpRequest, username: str) -> None:
    """The right password: the name's own counter starts again. The address's and the
    account's stay, so that one success does not wipe out a wide guessing run."""
    cache.delete(_keys(request, username)[0][0])
