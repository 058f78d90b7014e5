"""Label selectors, node selectors and tolerations, matched as Kubernetes matches them.

Three small languages decide where a pod may go:

* a *label selector* (``matchLabels`` + ``matchExpressions`` with ``In``,
  ``NotIn``, ``Exists``, ``DoesNotExist``), used by pod affinity and topology
  spread constraints (apimachinery ``metav1.LabelSelectorAsSelector``);
* a *node selector* (``nodeSelectorTerms``, ORed; inside a term
  ``matchExpressions`` and ``matchFields`` are ANDed; operators ``In``,
  ``NotIn``, ``Exists``, ``DoesNotExist``, ``Gt``, ``Lt``), used by required
  node affinity (component-helpers ``nodeaffinity``);
* *tolerations* against *taints* (core/v1 ``Toleration.ToleratesTaint``).

>>> tolerates(Toleration(operator="Exists"), Taint("k", "v", "NoSchedule"))
True
>>> label_selector_matches(LabelSelector({"app": "web"}), {"app": "web", "x": "y"})
True

The values (:class:`~quantities.pod.scheduling.Toleration`,
:class:`~quantities.pod.scheduling.LabelSelector`...) are read and validated in
:mod:`quantities.pod.scheduling`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from quantities.pod.scheduling import (
    LABEL_SELECTOR_OPERATORS,
    LabelSelector,
    NodeSelectorTerm,
    Requirement,
    Toleration,
)
from quantities.quantity.errors import quote
from quantities.quantity.goint import parse_go_int64

__all__ = [
    "LabelSelector",
    "NodeSelectorTerm",
    "Requirement",
    "Taint",
    "Toleration",
    "find_untolerated_taint",
    "label_selector_matches",
    "node_selector_terms_match",
    "parse_taint",
    "tolerates",
]

NO_SCHEDULE = "NoSchedule"
NO_EXECUTE = "NoExecute"
PREFER_NO_SCHEDULE = "PreferNoSchedule"
_EFFECTS = (NO_SCHEDULE, PREFER_NO_SCHEDULE, NO_EXECUTE)


@dataclass(frozen=True, slots=True)
class Taint:
    """A node taint: ``key=value:Effect``.

    >>> str(Taint("node-role.kubernetes.io/control-plane", "", "NoSchedule"))
    'node-role.kubernetes.io/control-plane:NoSchedule'
    """

    key: str
    value: str
    effect: str

    def __str__(self) -> str:
        value = f"={self.value}" if self.value else ""
        return f"{self.key}{value}:{self.effect}"

    def to_json(self) -> dict[str, str]:
        result = {"key": self.key, "effect": self.effect}
        if self.value:
            result["value"] = self.value
        return result


def parse_taint(spec: str | Mapping[str, Any]) -> Taint:
    """A taint from ``kubectl taint`` notation (``key=value:Effect``, ``key:Effect``) or a mapping.

    >>> parse_taint("gpu=true:NoSchedule")
    Taint(key='gpu', value='true', effect='NoSchedule')
    """
    if isinstance(spec, Mapping):
        return Taint(str(spec.get("key") or ""), str(spec.get("value") or ""), str(spec.get("effect") or ""))
    text = spec.strip()
    key_value, sep, effect = text.rpartition(":")
    if not sep or effect not in _EFFECTS:
        effects = ", ".join(_EFFECTS)
        raise ValueError(f"invalid taint {quote(spec)}: expected key[=value]:Effect, Effect one of {effects}")
    key, _, value = key_value.partition("=")
    if not key:
        raise ValueError(f"invalid taint {quote(spec)}: empty key")
    return Taint(key, value, effect)


def tolerates(toleration: Toleration, taint: Taint) -> bool:
    """core/v1 ``Toleration.ToleratesTaint`` (Kubernetes 1.32: ``Equal`` and ``Exists`` only).

    An empty effect matches every effect, an empty key (with ``Exists``) every
    key; ``Equal`` (the default operator) compares values. Kubernetes 1.35
    adds ``Lt``/``Gt`` behind an alpha gate; in 1.32 they (and any other
    operator a stored pod may carry) match nothing.
    """
    if toleration.effect and toleration.effect != taint.effect:
        return False
    if toleration.key and toleration.key != taint.key:
        return False
    if toleration.operator == "Equal":
        return toleration.value == taint.value
    return toleration.operator == "Exists"


def find_untolerated_taint(
    taints: Sequence[Taint], tolerations: Sequence[Toleration], effects: tuple[str, ...]
) -> Taint | None:
    """v1helper.FindMatchingUntoleratedTaint: the first taint with one of ``effects`` not tolerated."""
    for taint in taints:
        if taint.effect not in effects:
            continue
        if not any(tolerates(toleration, taint) for toleration in tolerations):
            return taint
    return None


def _requirement_matches(requirement: Requirement, labels: Mapping[str, str]) -> bool:
    key, operator, values = requirement.key, requirement.operator, requirement.values
    has = key in labels
    if operator == "In":
        return has and labels[key] in values
    if operator == "NotIn":
        return not has or labels[key] not in values
    if operator == "Exists":
        return has
    if operator == "DoesNotExist":
        return not has
    if operator in ("Gt", "Lt"):
        # Exactly one integer value is valid; anything else makes the term fail.
        if not has or len(values) != 1:
            return False
        label_value, bound = parse_go_int64(labels[key]), parse_go_int64(values[0])
        if label_value is None or bound is None:
            return False
        return label_value > bound if operator == "Gt" else label_value < bound
    return False


def _field_matches(requirement: Requirement, node_name: str) -> bool:
    # matchFields supports only metadata.name with In/NotIn and exactly one value.
    values = requirement.values
    if requirement.key != "metadata.name" or len(values) != 1:
        return False
    if requirement.operator == "In":
        return node_name == values[0]
    if requirement.operator == "NotIn":
        return node_name != values[0]
    return False


def node_selector_terms_match(
    terms: Sequence[NodeSelectorTerm], labels: Mapping[str, str], node_name: str
) -> bool:
    """component-helpers ``nodeaffinity.NodeSelector.Match``: the terms are ORed.

    A term with no expressions and no fields matches nothing.

    >>> terms = [NodeSelectorTerm((Requirement("cores", "Gt", ("8",)),))]
    >>> node_selector_terms_match(terms, {"cores": "16"}, "n1"), node_selector_terms_match(terms, {}, "n1")
    (True, False)
    """
    for term in terms:
        if not term.match_expressions and not term.match_fields:
            continue
        if all(_requirement_matches(r, labels) for r in term.match_expressions) and all(
            _field_matches(f, node_name) for f in term.match_fields
        ):
            return True
    return False


def label_selector_matches(selector: LabelSelector | None, labels: Mapping[str, str]) -> bool:
    """``metav1.LabelSelectorAsSelector(selector).Matches(labels)``.

    A nil selector matches nothing; an empty one (``{}``) matches everything.
    """
    if selector is None:
        return False
    for key, value in selector.match_labels.items():
        if labels.get(key) != value:
            return False
    for requirement in selector.match_expressions:
        if requirement.operator not in LABEL_SELECTOR_OPERATORS:
            return False
        if not _requirement_matches(requirement, labels):
            return False
    return True
