"""The JSON Schema of the model format, for editors (yaml-language-server)."""

from __future__ import annotations

from typing import Any

from trustmap.catalog import Catalog
from trustmap.model import Model

__all__ = ["model_json_schema"]


def model_json_schema(catalog: Catalog) -> dict[str, Any]:
    """pydantic's schema of `Model`, with the catalog's service and control ids as enums."""
    schema = Model.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "trustmap model, format version 1"
    definitions = schema.get("$defs", {})
    component = definitions.get("Component", {}).get("properties", {})
    if "service" in component:
        component["service"] = {
            "description": "catalog service id (trustmap catalog services)",
            "enum": sorted({*catalog.services, *catalog.service_aliases}),
            "title": "Service",
            "type": "string",
        }
    control_ids = sorted({*catalog.controls, *catalog.control_aliases})
    control_list = {"items": {"enum": control_ids, "type": "string"}, "type": "array"}
    if "controls" in component:
        component["controls"] = {**control_list, "title": "Controls"}
    if "controls" in schema.get("properties", {}):
        schema["properties"]["controls"] = {**control_list, "title": "Controls"}
    _close_id_maps(schema)
    return schema


def _close_id_maps(node: Any) -> None:
    """A map keyed by ids (`components`, `boundaries`, `data`...) admits no other key: pydantic
    writes the id pattern as `patternProperties`, which alone lets any key through."""
    if isinstance(node, dict):
        if "patternProperties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for child in node.values():
            _close_id_maps(child)
    elif isinstance(node, list):
        for child in node:
            _close_id_maps(child)
