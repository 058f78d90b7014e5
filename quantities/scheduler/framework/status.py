"""A plugin's verdict: ``framework.Status`` reduced to what our filters return."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MAX_NODE_SCORE", "Rejection"]

#: framework.MaxNodeScore: every score plugin answers between 0 and this.
MAX_NODE_SCORE = 100


@dataclass(frozen=True, slots=True)
class Rejection:
    """A filter's verdict against a node: the plugin, its reasons, and whether preemption could help."""

    plugin: str
    reasons: tuple[str, ...]
    unresolvable: bool = False

    @property
    def message(self) -> str:
        """``Status.Message()``: the reasons joined with ", "."""
        return ", ".join(self.reasons)
