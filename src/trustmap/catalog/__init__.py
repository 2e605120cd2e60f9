"""The knowledge catalog: services, controls and threats, read from `models/*.yaml`.

The built-in catalog ships inside the wheel (`trustmap/_data/models`) and is found in the
source checkout's `models/` folder otherwise. Organisations layer their own directories over
it (`--catalog DIR`): an entry with a known id replaces the built-in one, a new id adds one.
"""

from __future__ import annotations

from trustmap.catalog.load import Catalog, CatalogError, builtin_catalog_dir, load_catalog

__all__ = ["Catalog", "CatalogError", "builtin_catalog_dir", "load_catalog"]
