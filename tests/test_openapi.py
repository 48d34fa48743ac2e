"""The published OpenAPI document names each schema once: two classes of one name would share
one entry, and a client generated from the document would read one of them as the other."""

import collections
import typing

from pydantic import BaseModel


def _models(annotation, found: dict, depth: int = 0) -> None:
    if depth > 10:
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        key = f"{annotation.__module__}.{annotation.__qualname__}"
        if key in found[annotation.__name__]:
            return
        found[annotation.__name__].add(key)
        for field in annotation.model_fields.values():
            _models(field.annotation, found, depth + 1)
    for argument in typing.get_args(annotation):
        _models(argument, found, depth + 1)


def test_every_schema_name_is_one_class():
    from dxmonitor.api import api

    found: dict[str, set[str]] = collections.defaultdict(set)
    operations = 0
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                operations += 1
                for model in (operation.response_models or {}).values():
                    _models(model, found)
                for model in operation.models:
                    _models(model, found)
    shared = {name: sorted(keys) for name, keys in found.items() if len(keys) > 1}
    assert operations > 50 and not shared, shared
    components = api.get_openapi_schema()["components"]["schemas"]
    assert {"ImportJobOut", "JobOut", "PortalHomeOut", "HomeOut"} <= set(components)
