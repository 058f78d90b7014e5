"""Label selectors as ``kubectl get -l`` reads them: ``pool=web,zone in (a,b),!spot``.

apimachinery ``labels.Parse`` grammar, the forms people write:

* ``key=value``, ``key==value``: the label has that value;
* ``key!=value``: the label is absent or has another value;
* ``key in (a,b)``, ``key notin (a,b)``: set membership (``notin`` matches an absent label);
* ``key``, ``!key``: the label exists, does not exist.

Requirements are separated by commas and ANDed. Keys are qualified names and values label
values (``ValidateLabelName``, ``IsValidLabelValue``); every mistake is reported at once,
with the requirement it is in.

>>> selector = parse_label_selector("pool=web,zone in (a, b),!spot")
>>> [(r.key, r.operator, r.values) for r in selector.match_expressions]
[('pool', 'In', ('web',)), ('zone', 'In', ('a', 'b')), ('spot', 'DoesNotExist', ())]
>>> from quantities.node.selectors import label_selector_matches
>>> label_selector_matches(selector, {"pool": "web", "zone": "b"})
True
>>> parse_label_selector("zone in a")
Traceback (most recent call last):
...
quantities.manifest.problems.ManifestError: selector: "zone in a": expected a list of values in \
parentheses after "in", as in zone in (a,b)
"""

from __future__ import annotations

import json
import re

from quantities.manifest.names import label_value_errors, qualified_name_errors
from quantities.manifest.problems import ManifestError, Problem
from quantities.pod.scheduling import LabelSelector, Requirement

__all__ = ["parse_label_selector"]

_SET = re.compile(r"^\s*(?P<key>[^\s!=()]+)\s+(?P<op>in|notin)\s*(?P<rest>.*)$")
_EQUALS = re.compile(r"^\s*(?P<key>[^\s!=()]+)\s*(?P<op>==|!=|=)\s*(?P<value>[^\s()]*)\s*$")
_EXISTS = re.compile(r"^\s*(?P<not>!?)\s*(?P<key>[^\s!=()]+)\s*$")


def _requirements(text: str) -> list[str]:
    """The comma-separated requirements, commas inside ``( )`` kept."""
    parts: list[str] = []
    depth = 0
    current = ""
    for character in text:
        if character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
        if character == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += character
    parts.append(current)
    return parts


def _requirement(text: str) -> tuple[Requirement | None, list[str]]:
    """One requirement, or the reasons it is not one."""
    match = _SET.match(text)
    if match is not None:
        rest = match.group("rest").strip()
        operator = match.group("op")
        if not (rest.startswith("(") and rest.endswith(")")):
            return None, [
                f'expected a list of values in parentheses after "{operator}", as in '
                f"{match.group('key')} {operator} (a,b)"
            ]
        values = tuple(value.strip() for value in rest[1:-1].split(","))
        errors = [f"value {json.dumps(v)}: {e}" for v in values for e in label_value_errors(v)]
        if values == ("",):
            errors.append(f'"{operator}" needs at least one value')
        return _keyed(match.group("key"), "In" if operator == "in" else "NotIn", values, errors)
    match = _EQUALS.match(text)
    if match is not None:
        value = match.group("value")
        errors = [f"value {json.dumps(value)}: {e}" for e in label_value_errors(value)]
        return _keyed(match.group("key"), "NotIn" if match.group("op") == "!=" else "In", (value,), errors)
    match = _EXISTS.match(text)
    if match is not None:
        return _keyed(match.group("key"), "DoesNotExist" if match.group("not") else "Exists", (), [])
    return None, ["expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key"]


def _keyed(
    key: str, operator: str, values: tuple[str, ...], errors: list[str]
) -> tuple[Requirement | None, list[str]]:
    errors = [f"key {json.dumps(key)}: {e}" for e in qualified_name_errors(key)] + errors
    return (None if errors else Requirement(key, operator, values)), errors


def parse_label_selector(text: str, path: str = "selector") -> LabelSelector:
    """``text`` as a label selector; :class:`~quantities.manifest.problems.ManifestError` at ``path``
    listing every requirement that is not one. An empty text selects everything."""
    if not text.strip():
        return LabelSelector()
    requirements: list[Requirement] = []
    problems: list[Problem] = []
    for part in _requirements(text):
        requirement, errors = _requirement(part)
        if requirement is not None:
            requirements.append(requirement)
        problems.extend(
            Problem(path, f"{json.dumps(part.strip())}: {error}", value=json.dumps(text)) for error in errors
        )
    if problems:
        raise ManifestError(problems)
    return LabelSelector(match_expressions=tuple(requirements))
