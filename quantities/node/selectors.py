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

>>> tolerates({"operator": "Exists"}, Taint("k", "v", "NoSchedule"))
True
>>> label_selector_matches({"matchLabels": {"app": "web"}}, {"app": "web", "x": "y"})
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Taint",
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

_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


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
        raise ValueError(f"invalid taint {spec!r}: expected key[=value]:Effect with Effect one of {_EFFECTS}")
    key, _, value = key_value.partition("=")
    if not key:
        raise ValueError(f"invalid taint {spec!r}: empty key")
    return Taint(key, value, effect)


def tolerates(toleration: Mapping[str, Any], taint: Taint) -> bool:
    """core/v1 ``Toleration.ToleratesTaint`` (Kubernetes 1.32: ``Equal`` and ``Exists`` only).

    An empty effect matches every effect, an empty key (with ``Exists``) every
    key; ``Equal`` (the default operator) compares values. Kubernetes 1.35
    adds ``Lt``/``Gt`` behind an alpha gate; in 1.32 they match nothing.
    """
    effect = toleration.get("effect") or ""
    if effect and effect != taint.effect:
        return False
    key = toleration.get("key") or ""
    if key and key != taint.key:
        return False
    operator = toleration.get("operator") or "Equal"
    if operator == "Equal":
        return (toleration.get("value") or "") == taint.value
    return operator == "Exists"


def find_untolerated_taint(
    taints: Sequence[Taint], tolerations: Sequence[Mapping[str, Any]], effects: tuple[str, ...]
) -> Taint | None:
    """v1helper.FindMatchingUntoleratedTaint: the first taint with one of ``effects`` not tolerated."""
    for taint in taints:
        if taint.effect not in effects:
            continue
        if not any(tolerates(toleration, taint) for toleration in tolerations):
            return taint
    return None


def _parse_int64(text: object) -> int | None:
    # strconv.ParseInt(s, 10, 64): optional sign, decimal digits, no spaces or underscores.
    if not isinstance(text, str) or not text:
        return None
    digits = text[1:] if text[0] in "+-" else text
    if not digits or not digits.isascii() or not digits.isdigit():
        return None
    value = int(text)
    return value if _INT64_MIN <= value <= _INT64_MAX else None


def _requirement_matches(requirement: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    key = requirement.get("key") or ""
    operator = requirement.get("operator")
    values = requirement.get("values") or []
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
        label_value, bound = _parse_int64(labels[key]), _parse_int64(values[0])
        if label_value is None or bound is None:
            return False
        return label_value > bound if operator == "Gt" else label_value < bound
    return False


def _field_matches(requirement: Mapping[str, Any], node_name: str) -> bool:
    # matchFields supports only metadata.name with In/NotIn and exactly one value.
    values = requirement.get("values") or []
    if requirement.get("key") != "metadata.name" or len(values) != 1:
        return False
    operator = requirement.get("operator")
    if operator == "In":
        return bool(node_name == values[0])
    if operator == "NotIn":
        return bool(node_name != values[0])
    return False


def node_selector_terms_match(
    terms: Sequence[Mapping[str, Any]], labels: Mapping[str, str], node_name: str
) -> bool:
    """component-helpers ``nodeaffinity.NodeSelector.Match``: the terms are ORed.

    A term with no expressions and no fields matches nothing.

    >>> terms = [{"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["8"]}]}]
    >>> node_selector_terms_match(terms, {"cores": "16"}, "n1"), node_selector_terms_match(terms, {}, "n1")
    (True, False)
    """
    for term in terms:
        expressions = term.get("matchExpressions") or []
        fields = term.get("matchFields") or []
        if not expressions and not fields:
            continue
        if all(_requirement_matches(r, labels) for r in expressions) and all(
            _field_matches(f, node_name) for f in fields
        ):
            return True
    return False


def label_selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """``metav1.LabelSelectorAsSelector(selector).Matches(labels)``.

    A nil selector matches nothing; an empty one (``{}``) matches everything.
    """
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for requirement in selector.get("matchExpressions") or []:
        operator = requirement.get("operator")
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False
        if not _requirement_matches(requirement, labels):
            return False
    return True
