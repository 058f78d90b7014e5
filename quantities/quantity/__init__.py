"""The quantity layer: Kubernetes' ``resource.Quantity`` and what people write instead of it.

* :mod:`~quantities.quantity.quantity`: the value type and its parser (apimachinery's
  ``quantity.go``), with :mod:`~quantities.quantity.suffix` (``suffix.go``) and
  :mod:`~quantities.quantity.goint` (Go's int32/int64: ``strconv.ParseInt``, wrapping);
* :mod:`~quantities.quantity.errors` and :mod:`~quantities.quantity.hints`: what is wrong
  with a string and what was probably meant;
* :mod:`~quantities.quantity.units` (pint, exact) and :mod:`~quantities.quantity.human`
  (``2 GiB``, ``1.5 cores``);
* :mod:`~quantities.quantity.batch`: many values at once (normalise, sum, compare).

Nothing here knows about pods, nodes or manifests.
"""

from quantities.quantity.errors import QuantityError
from quantities.quantity.quantity import KUBERNETES_VERSION, Quantity, parse_quantity
from quantities.quantity.suffix import Format

__all__ = ["KUBERNETES_VERSION", "Format", "Quantity", "QuantityError", "parse_quantity"]
