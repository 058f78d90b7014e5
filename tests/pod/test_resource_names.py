"""The resource-name rules, one row per name (``pkg/apis/core/v1/helper``, ``schedutil``).

Columns: IsQualifiedName, IsNativeResource, IsPrefixedNativeResource,
IsExtendedResourceName, IsHugePageResourceName, schedutil.IsScalarResourceName,
IsOvercommitAllowed, IsIntegerResourceName.
"""

from __future__ import annotations

from typing import NamedTuple

import pytest

from quantities.pod.resource_names import (
    is_attachable_volume,
    is_extended,
    is_hugepages,
    is_integer_resource,
    is_native,
    is_overcommit_allowed,
    is_prefixed_native,
    is_qualified_name,
    is_scalar_resource_name,
    qualified_name_errors,
)


class Rules(NamedTuple):
    qualified: bool
    native: bool
    prefixed_native: bool
    extended: bool
    hugepages: bool
    scalar: bool
    overcommit: bool
    integer: bool


T, F = True, False

ROWS: list[tuple[str, Rules]] = [
    ("cpu", Rules(T, T, F, F, F, F, T, F)),
    ("memory", Rules(T, T, F, F, F, F, T, F)),
    ("ephemeral-storage", Rules(T, T, F, F, F, F, T, F)),
    ("pods", Rules(T, T, F, F, F, F, T, T)),  # an object count: whole units, but not scalar
    ("storage", Rules(T, T, F, F, F, F, T, F)),  # the scheduler ignores it
    ("nvidia.com/gpu", Rules(T, F, F, T, F, T, F, T)),
    ("example.com/GPU", Rules(T, F, F, T, F, T, F, T)),  # the name part may have capitals
    ("Example.com/gpu", Rules(F, F, F, F, F, F, F, F)),  # the prefix is a lowercase DNS subdomain
    ("hugepages-2Mi", Rules(T, T, F, F, T, T, F, F)),
    ("hugepages-", Rules(F, T, F, F, T, T, F, F)),  # a prefix match, as in Go
    ("kubernetes.io/batch", Rules(T, T, T, F, F, T, T, F)),
    ("foo.kubernetes.io/bar", Rules(T, T, T, F, F, T, T, F)),  # "contains", not "starts with"
    ("attachable-volumes-aws-ebs", Rules(T, T, F, F, F, T, T, F)),
    ("requests.example.com/x", Rules(T, F, F, F, F, F, F, F)),  # already a quota name
    ("bad_domain/x", Rules(F, F, F, F, F, F, F, F)),
    ("example.com/" + "x" * 63, Rules(T, F, F, T, F, T, F, T)),
    ("example.com/" + "x" * 64, Rules(F, F, F, F, F, F, F, F)),  # name part over 63
    ("a" * 253 + "/x", Rules(T, F, F, F, F, F, F, F)),  # qualified, but "requests." makes it 262
    ("a" * 254 + "/x", Rules(F, F, F, F, F, F, F, F)),
    ("example.com/-gpu", Rules(F, F, F, F, F, F, F, F)),
    ("/gpu", Rules(F, F, F, F, F, F, F, F)),
    ("a/b/c", Rules(F, F, F, F, F, F, F, F)),
    ("", Rules(F, T, F, F, F, F, T, F)),  # Go: no "/" makes it native
]


@pytest.mark.parametrize(("name", "rules"), ROWS, ids=[name[:40] or "empty" for name, _ in ROWS])
def test_resource_name_rules(name: str, rules: Rules) -> None:
    found = Rules(
        qualified=is_qualified_name(name),
        native=is_native(name),
        prefixed_native=is_prefixed_native(name),
        extended=is_extended(name),
        hugepages=is_hugepages(name),
        scalar=is_scalar_resource_name(name),
        overcommit=is_overcommit_allowed(name),
        integer=is_integer_resource(name),
    )
    assert found == rules
    assert is_qualified_name(name) is not bool(qualified_name_errors(name))


@pytest.mark.parametrize(
    ("name", "attachable"),
    [("attachable-volumes-csi-x", True), ("attachable-volumes-", True), ("attachable-volume", False)],
)
def test_attachable_volume(name: str, attachable: bool) -> None:
    assert is_attachable_volume(name) is attachable
