"""``kq allocatable``: a node's allocatable from its capacity, under a provider's reservations.

``kq allocatable --provider eks --instance-type m5.large -o json`` prints the capacity,
the three reserved parts (kube-reserved, system-reserved, hard eviction), the allocatable
and how every figure was reached (formula, sources, version, capacity model).
``--kube-reserved``, ``--system-reserved`` and ``--eviction-hard`` take the kubelet's own
syntax and replace the profile's setting whole, as the kubelet flags do.

Exit status: 0 with the answer, 2 for bad input (the message names the flag).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, MutableMapping
from typing import Any, TextIO

from quantities.cli.exits import EXIT_OK
from quantities.cli.inputs import InputError
from quantities.cli.outputs import add_output_option, print_warnings, write_output
from quantities.manifest.problems import ManifestError, Problem

__all__ = ["FLAGS", "add_commands", "flag_message"]

Command = Callable[[argparse.Namespace, TextIO, TextIO], int]

#: The library's argument names and the flags that give them.
FLAGS = {
    "provider": "--provider",
    "instance_type": "--instance-type",
    "cpu": "--cpu",
    "memory": "--memory",
    "ephemeral_storage": "--ephemeral-storage",
    "hugepages": "--hugepages",
    "max_pods": "--max-pods",
    "kube_reserved": "--kube-reserved",
    "system_reserved": "--system-reserved",
    "eviction_hard": "--eviction-hard",
    "capacity_model": "--capacity-model",
    "vm_memory_overhead": "--vm-memory-overhead-percent",
    "custom_networking": "--custom-networking",
    "prefix_delegation": "--prefix-delegation",
    "sizing": "--sizing",
    "kubernetes_version": "--kubernetes-version",
    "feature_gates": "--feature-gates",
}

_HEAD = re.compile(r"^([a-z_]+)(.*)$")


def flag_message(problem: Problem) -> str:
    """A located problem in the flags' words: ``--kube-reserved memory: ...``.

    >>> flag_message(Problem("kube_reserved.memory", "must not be negative", value='"-1"'))
    '--kube-reserved memory "-1": must not be negative'
    """
    match = _HEAD.match(problem.path)
    head, rest = (match.group(1), match.group(2)) if match else (problem.path, "")
    where = FLAGS.get(head, head)
    rest = rest.lstrip(".").strip("[]")
    if rest:
        where += f" {rest}"
    if problem.value is not None:
        where += f" {problem.value}"
    text = f"{where}: {problem.message}"
    if problem.hint:
        text += f"; {problem.hint}"
    return text


def _allocatable(arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from quantities.capacity.allocatable import node_allocatable

    try:
        result = node_allocatable(
            arguments.provider,
            instance_type=arguments.instance_type,
            cpu=arguments.cpu,
            memory=arguments.memory,
            ephemeral_storage=arguments.ephemeral_storage,
            hugepages=arguments.hugepages,
            max_pods=arguments.max_pods,
            kube_reserved=arguments.kube_reserved,
            system_reserved=arguments.system_reserved,
            eviction_hard=arguments.eviction_hard,
            capacity_model=arguments.capacity_model,
            vm_memory_overhead=arguments.vm_memory_overhead,
            custom_networking=arguments.custom_networking,
            prefix_delegation=arguments.prefix_delegation,
            sizing=arguments.sizing,
            options=arguments.options,
        )
    except ManifestError as error:
        lines = [flag_message(problem) for problem in error.problems]
        if len(lines) == 1:
            raise InputError(f"allocatable: {lines[0]}") from None
        raise InputError(f"allocatable: {len(lines)} problems:\n  " + "\n  ".join(lines)) from None
    write_output(
        out,
        arguments.output,
        result.to_json,
        lambda: (result.CSV_HEADER, result.csv_rows()),
        result.describe,
    )
    print_warnings(result, err)
    return EXIT_OK


def add_commands(subparsers: argparse._SubParsersAction[Any], registry: MutableMapping[str, Command]) -> None:
    """Register ``kq allocatable`` on ``kq``'s subparsers and in its command registry."""
    from quantities.capacity.instance_types import CAPACITY_MODELS
    from quantities.capacity.providers import PROFILES

    parser = subparsers.add_parser(
        "allocatable",
        help="a node's allocatable from its capacity or an instance type, per provider",
        description="Compute the allocatable the kubelet would publish for a node: capacity minus "
        "kube-reserved, system-reserved and hard eviction thresholds, with the provider's published "
        "reservations (" + ", ".join(PROFILES) + "). Every figure is explained in -o json.",
    )
    parser.add_argument(
        "--provider",
        default="kubelet",
        metavar="PROVIDER",
        help="one of " + ", ".join(PROFILES) + " (default kubelet: only the flags given)",
    )
    parser.add_argument(
        "--instance-type", metavar="TYPE", help="an EC2 instance type (m5.large): cpu, memory, max pods"
    )
    parser.add_argument("--cpu", metavar="CPU", help="the node's cpu capacity (4)")
    parser.add_argument("--memory", metavar="MEMORY", help="the node's memory capacity (16Gi)")
    parser.add_argument(
        "--ephemeral-storage", metavar="SIZE", help="the node's ephemeral-storage capacity (100Gi)"
    )
    parser.add_argument("--hugepages", metavar="PAIRS", help="hugepages capacity: hugepages-2Mi=1Gi[,...]")
    parser.add_argument("--max-pods", metavar="N", help="max pods (default: the provider's)")
    parser.add_argument(
        "--kube-reserved", metavar="PAIRS", help="the kubelet's flag: cpu=100m,memory=1Gi,..."
    )
    parser.add_argument(
        "--system-reserved", metavar="PAIRS", help="the kubelet's flag: cpu=500m,memory=1Gi,..."
    )
    parser.add_argument(
        "--eviction-hard",
        metavar="THRESHOLDS",
        help="the kubelet's flag: memory.available<100Mi,nodefs.available<10%%",
    )
    parser.add_argument(
        "--capacity-model",
        choices=CAPACITY_MODELS,
        help="with --instance-type: karpenter (default: nominal memory less Karpenter's VM overhead)"
        " or nominal",
    )
    parser.add_argument(
        "--vm-memory-overhead-percent",
        dest="vm_memory_overhead",
        metavar="FRACTION",
        help="Karpenter's VM memory overhead, a fraction (default 0.075)",
    )
    parser.add_argument("--custom-networking", action="store_true", help="eks: VPC CNI custom networking")
    parser.add_argument("--prefix-delegation", action="store_true", help="eks: VPC CNI prefix delegation")
    parser.add_argument("--sizing", choices=("static", "auto"), help="openshift: system-reserved sizing")
    add_output_option(parser, "resource,capacity,kube_reserved,system_reserved,eviction_hard,allocatable")
    registry["allocatable"] = _allocatable
