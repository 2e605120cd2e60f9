"""trustmap: offline threat modelling and architecture diagrams for systems on AWS."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
