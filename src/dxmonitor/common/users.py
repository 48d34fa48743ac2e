"""The type of the user a view, an action or a query is given.

`request.user` is a `User` when signed in and an `AnonymousUser` otherwise; actions and queries take
either and check rights themselves, so they are annotated with this alias rather than with
`AnyUser`, which has neither the permission attributes nor the relations they read.
"""

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest

AnyUser: TypeAlias = User | AnonymousUser


class ApiRequest(HttpRequest):
    """An API request after django-ninja's authentication: `auth` is who the credential named."""

    auth: User
