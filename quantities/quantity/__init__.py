"""The quantity layer: Kubernetes' ``resource.Quantity`` and what people write instead of it.

* :mod:`~quantities.quantity.quantity`: the value type and its parser (apimachinery's
  ``quantity.go``), with :mod:`~quantities.quantity.suffix` (``suffix.go``) and
  :mod:`~quantities.quantity.goint` (Go's int32/int64: ``strconv.ParseInt``, wrapping);
* :mod:`~quantities.quantity.errors` and :mod:`~quantities.quantity.hints`: what is wrong
  with a string and what was probably meant;
* :mod:`~quantities.quantity.units` (pint, exact) and :mod:`~quantities.quantity.human`
  (``2 GiB``, ``1.5 cores``);
* :mod:`~quantities.quantity.batch`: many values at once (normalise, sum, compare).

Nothing here knows about pods, nodes or manifests. The quantity grammar and its printing
are the same in every Kubernetes release we model (1.28 to 1.36), so nothing here depends on
one; ``KUBERNETES_VERSION`` is the package's, the newest release modelled
(:data:`quantities.versions.NEWEST`).
"""

from quantities.quantity.errors import QuantityError
from quantities.quantity.quantity import Quantity, parse_quantity
from quantities.quantity.suffix import Format

TYPE_CHECKING = False
if TYPE_CHECKING:
    KUBERNETES_VERSION: str

__all__ = ["KUBERNETES_VERSION", "Format", "Quantity", "QuantityError", "parse_quantity"]


def __getattr__(name: str) -> str:
    if name == "KUBERNETES_VERSION":
        from quantities.versions import NEWEST

        return str(NEWEST)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
