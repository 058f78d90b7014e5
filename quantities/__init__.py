"""Kubernetes resource arithmetic, exactly as Kubernetes does it.

>>> from quantities import parse_quantity
>>> str(parse_quantity("1.5Gi") + parse_quantity("512Mi"))
'2Gi'
"""

from __future__ import annotations

from quantities.errors import QuantityError
from quantities.quantity import KUBERNETES_VERSION, Quantity, parse_quantity
from quantities.suffix import Format

TYPE_CHECKING = False  # typing is not imported at run time: see quantities.quantity
if TYPE_CHECKING:
    from typing import Any

    from quantities.human import parse_human

__all__ = [
    "KUBERNETES_VERSION",
    "Format",
    "Quantity",
    "QuantityError",
    "parse_human",
    "parse_quantity",
]

# Modules that import pint or fractions load on first use: `import quantities` stays cheap.
_LAZY = {"parse_human": "quantities.human"}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'quantities' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value
