"""Differential test: our parser against the real kubectl, on thousands of strings.

kubectl is the oracle. ``kubectl set resources --local -f POD -o json`` decodes
the pod (every quantity goes through apimachinery's ParseQuantity) and prints it
back, every quantity in Kubernetes' canonical form, without a cluster.

Two kubectl calls check everything:

1. One pod file per string, all in one directory. An invalid quantity makes
   kubectl reject its file, and kubectl names each rejected file on standard
   error with the Go error text (``unable to decode "DIR/00042.json": <error>``)
   while it goes on to the next file. This sorts the strings into valid and
   invalid, and gives the message for each invalid one.
2. One pod carrying every valid string as the limit of an extended resource
   (``example.com/r0`` ... ``example.com/rN``): kubectl prints all of them back.

Quantity.UnmarshalJSON trims white space (strings.TrimSpace) and does not
decode JSON escapes, so the strings here have no white space at either end and
no character that JSON would escape.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from quantities import QuantityError, parse_quantity
from quantities.quantity.goint import INT64_MAX, INT64_MIN, wrap_int32
from tests.quantity.test_quantity_table import ROWS, Rejected

SEED = 20241128
GENERATED = 2400

DECIMAL_SUFFIXES = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E"]
BINARY_SUFFIXES = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
# Characters people slip into quantities, and the letters of the suffix alphabet.
STRAY = " ,_xKBbIiI./#+-eEkmMG\u00b5\uff11\u2212\u00a0"
ALPHABET = "0123456789.+-eEinumkKMGTP"

# Exponents near the edges Kubernetes does not check: int32 and int64 wrap-around.
EDGE_EXPONENTS = [
    2**31 - 1, 2**31, 2**31 + 1, 2**32 - 1, 2**32, 2**32 + 1, 2**32 + 3, 2**33,
    2**63 - 1, 2**63, 2**64, 10**18, 999999999, 1000000000,
]


class Answer(NamedTuple):
    """kubectl's verdict on one string: its canonical form, or the Go error text."""

    shown: str | None
    error: str | None


_EXPONENT_FORM = re.compile(r"[+-]?0*([0-9]*)(?:\.([0-9]*))?[eE]([+-]?[0-9]+)")


def _kubectl_answers_quickly(text: str) -> bool:
    """False for the strings that send kubectl's arbitrary-precision path into a huge power of ten.

    ParseQuantity's slow path (more than 18 digits, or a scale below nano) rounds an
    inf.Dec to nano scale, building 10**|exponent|: beyond about 10**10000 that takes
    kubectl longer than this whole test may.
    """
    match = _EXPONENT_FORM.fullmatch(text)
    if match is None:
        return True
    number, fraction, exponent_text = match.groups()
    exponent = int(exponent_text)
    if not INT64_MIN <= exponent <= INT64_MAX:
        return True  # ErrSuffix before any arithmetic
    exponent = wrap_int32(exponent)
    fraction = fraction or ""
    digits = len(number or "0") + len(fraction)
    slow = digits > 18 or wrap_int32(exponent - len(fraction)) < -9
    return not slow or abs(exponent) <= 10000


def _digits(rng: random.Random, low: int, high: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(rng.randint(low, high)))


def _number(rng: random.Random) -> str:
    sign = rng.choice(["", "", "", "-", "+"])
    zeros = "0" * rng.choice([0, 0, 0, 0, 1, 2, 5])
    whole = _digits(rng, 0, rng.choice([3, 6, 18, 25]))
    if rng.random() < 0.4:
        whole += "0" * rng.randint(1, 9)  # trailing zeros move into the suffix
    if rng.random() < 0.45:
        return sign + zeros + whole + "." + _digits(rng, 0, rng.choice([3, 9, 14]))
    return sign + zeros + whole


def _exponent(rng: random.Random) -> str:
    letter = rng.choice("eeeE")
    bucket = rng.random()
    if bucket < 0.5:
        value = rng.randint(-30, 30)
    elif bucket < 0.75:
        value = rng.randint(-10000, 10000)
    else:
        value = rng.choice(EDGE_EXPONENTS) + rng.choice([-2, -1, 0, 0, 1, 2])
        value = -value if rng.random() < 0.4 else value
    sign = "+" if value >= 0 and rng.random() < 0.2 else ""
    return f"{letter}{sign}{value}"


def _well_formed(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        suffix = rng.choice(DECIMAL_SUFFIXES)
    elif kind < 0.75:
        suffix = rng.choice(BINARY_SUFFIXES)
    else:
        suffix = _exponent(rng)
    return _number(rng) + suffix


def _near_miss(rng: random.Random) -> str:
    text = _well_formed(rng)
    how = rng.random()
    if how < 0.4:
        position = rng.randint(0, len(text))
        return text[:position] + rng.choice(STRAY) + text[position:]
    if how < 0.55:
        return text + rng.choice(["B", "b", "iB", "i", "I", "K", "e", "e+", "-", "."])
    if how < 0.7:
        return text.swapcase()
    if how < 0.8:
        return rng.choice(["", "-", "+", "."]) + rng.choice(["K", "k", "Ki", "Pi", "Ei", "E", "e", "e-12"])
    if how < 0.9:
        position = rng.randint(0, len(text))
        return text[:position] + text[position:] * 2
    return text.replace(".", ",") if "." in text else text + ".5.5"


def _random_word(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 8)))


def _acceptable(text: str) -> bool:
    return (
        text == text.strip()
        and not any(char in '"\\' or char < " " or char == "\x7f" for char in text)
        and _kubectl_answers_quickly(text)
    )


def generated_strings(count: int = GENERATED, seed: int = SEED) -> list[str]:
    """``count`` distinct strings from a seeded grammar: valid forms, edge exponents, near misses."""
    rng = random.Random(seed)
    makers = [_well_formed] * 5 + [_near_miss] * 3 + [_random_word] * 2
    seen: dict[str, None] = {}
    while len(seen) < count:
        text = rng.choice(makers)(rng)
        if _acceptable(text):
            seen.setdefault(text)
    return list(seen)


def _pod(name: str, limits: dict[str, str]) -> str:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": [{"name": "c", "image": "example", "resources": {"limits": limits}}]},
    }
    return json.dumps(pod, ensure_ascii=False)


def _kubectl(executable: str, target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [executable, "set", "resources", "--local", "-f", str(target),
         "--limits=ephemeral-storage=1", "-o", "json"],
        capture_output=True, text=True, encoding="utf-8", timeout=120, check=False,
    )


_DECODE_ERROR = re.compile(r'unable to decode "(?P<path>[^"]*)": (?P<message>.*)')


def ask_kubectl(executable: str, texts: list[str], workdir: Path) -> dict[str, Answer]:
    """kubectl's answer for every string, in two calls."""
    each = workdir / "each"
    each.mkdir()
    for index, text in enumerate(texts):
        (each / f"{index:05d}.json").write_text(_pod(f"p{index}", {"example.com/r0": text}), "utf-8")
    sorting = _kubectl(executable, each)
    errors: dict[int, str] = {}
    for line in sorting.stderr.splitlines():
        match = _DECODE_ERROR.fullmatch(line)
        assert match, f"unexpected kubectl output: {line!r}"
        errors[int(Path(match["path"]).stem)] = match["message"]

    valid = [index for index in range(len(texts)) if index not in errors]
    pod = workdir / "valid.json"
    pod.write_text(_pod("valid", {f"example.com/r{index}": texts[index] for index in valid}), "utf-8")
    printing = _kubectl(executable, pod)
    assert printing.returncode == 0, printing.stderr
    limits = json.loads(printing.stdout)["spec"]["containers"][0]["resources"]["limits"]

    answers = {texts[index]: Answer(None, message) for index, message in errors.items()}
    answers.update({texts[index]: Answer(limits[f"example.com/r{index}"], None) for index in valid})
    return answers


def ours(text: str) -> Answer:
    try:
        return Answer(str(parse_quantity(text)), None)
    except QuantityError as error:
        return Answer(None, error.kubernetes_message)


def _table_texts() -> Iterator[str]:
    for text, _ in ROWS:
        if _acceptable(text):
            yield text


@pytest.fixture(scope="module")
def kubectl() -> tuple[str, str]:
    executable = shutil.which("kubectl")
    if executable is None:
        pytest.skip("kubectl is not on PATH: the differential test needs it as the oracle")
    version = subprocess.run(
        [executable, "version", "--client", "-o", "json"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    try:
        git_version = json.loads(version.stdout)["clientVersion"]["gitVersion"]
    except (ValueError, KeyError):
        git_version = "unknown version"
    return executable, git_version


@pytest.fixture(scope="module")
def answers(kubectl: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Answer]:
    texts = list(dict.fromkeys([*_table_texts(), *generated_strings()]))
    return ask_kubectl(kubectl[0], texts, tmp_path_factory.mktemp("kubectl"))


def _report(kubectl_version: str, mismatches: list[tuple[str, Answer, Answer]]) -> str:
    lines = [f"{len(mismatches)} disagreements with kubectl {kubectl_version}:"]
    for text, expected, got in mismatches[:25]:
        lines.append(f"  {text!r}: kubectl {expected}, ours {got}")
    return "\n".join(lines)


def test_generated_strings_are_many_deterministic_and_mixed() -> None:
    texts = generated_strings()
    assert len(texts) == len(set(texts)) >= 2000
    assert texts == generated_strings()
    results = [ours(text) for text in texts]
    assert sum(result.error is None for result in results) >= 800
    assert sum(result.error is not None for result in results) >= 500
    assert len({result.error for result in results}) == 4  # None and the three messages


def test_library_agrees_with_kubectl(kubectl: tuple[str, str], answers: dict[str, Answer]) -> None:
    assert len(answers) >= 2000
    mismatches = [(text, answer, ours(text)) for text, answer in answers.items() if ours(text) != answer]
    assert not mismatches, _report(kubectl[1], mismatches)


def test_table_agrees_with_kubectl(kubectl: tuple[str, str], answers: dict[str, Answer]) -> None:
    mismatches = []
    for text, expected in ROWS:
        if not _acceptable(text):
            continue
        row = Answer(None, expected.message) if isinstance(expected, Rejected) else Answer(expected, None)
        if answers[text] != row:
            mismatches.append((text, answers[text], row))
    assert not mismatches, _report(kubectl[1], mismatches)
