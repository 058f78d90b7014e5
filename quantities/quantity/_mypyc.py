"""mypyc's class options for the optional compiled build, and nothing at all without it.

The hot modules of this package can be compiled by mypyc (``make compiled``; see the
README's "Performance" section). ``mypyc_attr`` is how mypyc is told things about a class
that Python has no word for; mypyc reads it from the source at compile time, so a compiled
class never calls it. In pure Python it must still be callable as a decorator, and
``mypy_extensions`` is not a runtime dependency: here it is a decorator that changes nothing.
This module itself is never compiled (mypyc would refuse the ``else`` branch that mypy does
not see).

>>> @mypyc_attr(acyclic=True)
... class Example:
...     pass
>>> Example.__name__
'Example'
"""

from __future__ import annotations

# typing costs more to import than this whole package; mypy is told TYPE_CHECKING is true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from mypy_extensions import mypyc_attr as mypyc_attr
else:

    def mypyc_attr(*flags, **options):
        return lambda cls: cls
