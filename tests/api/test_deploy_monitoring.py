"""deploy/grafana-dashboard.json and deploy/prometheus-rule.yaml: valid PromQL on metrics /metrics writes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from api import create_app
from tests.live.static_cluster import StaticCluster, low_headroom_cluster

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy" / "grafana-dashboard.json"
RULE = ROOT / "deploy" / "prometheus-rule.yaml"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool (Debian package prometheus) is not installed"
)

#: Grafana's variables, as a query would be sent once they are filled in.
VARIABLES = {
    "${datasource}": "prometheus", "$__rate_interval": "1m", "$job": ".*", "$node": ".*", "$shape": ".*"
}  # fmt: skip
#: PromQL's own words, which are not metric names.
_METRIC = re.compile(r"\b(kq_[a-z_]+)\b")


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def expressions() -> list[str]:
    found = [target["expr"] for panel in dashboard()["panels"] for target in panel["targets"]]
    for variable in dashboard()["templating"]["list"]:
        if variable["type"] == "query":
            found.append(re.sub(r"label_values\((\w+), \w+\)", r"\1", variable["query"]["query"]))
    return found


def filled(expression: str) -> str:
    for name, text in VARIABLES.items():
        expression = expression.replace(name, text)
    assert "$" not in expression, expression
    return expression


def rule_groups() -> dict[str, Any]:
    document = yaml.safe_load(RULE.read_text())
    assert document["apiVersion"] == "monitoring.coreos.com/v1" and document["kind"] == "PrometheusRule"
    return {"groups": document["spec"]["groups"]}


def exported_metrics() -> set[str]:
    """Every metric family /metrics writes, with a cluster, shapes and a request answered."""
    source = StaticCluster(low_headroom_cluster())
    app = create_app({"CLUSTER_SOURCE": source, "HEADROOM_SHAPES": "web=500m/1Gi"})
    client = app.test_client()
    client.get("/livez")
    text = client.get("/metrics").get_data(as_text=True)
    names = set()
    for family in text_string_to_metric_families(text):
        names.add(family.name)
        names.update(sample.name for sample in family.samples)
    return names


def test_the_dashboard_uses_a_templated_prometheus_data_source() -> None:
    board = dashboard()
    (source,) = [v for v in board["templating"]["list"] if v["type"] == "datasource"]
    assert source["name"] == "datasource" and source["query"] == "prometheus"
    for panel in board["panels"]:
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == panel["datasource"]
    titles = " ".join(panel["title"] for panel in board["panels"]).lower()
    for subject in ("headroom", "per node", "free", "requested"):
        assert subject in titles
    assert len({panel["id"] for panel in board["panels"]}) == len(board["panels"])


def test_every_metric_the_dashboard_and_the_rules_query_is_exported() -> None:
    exported = exported_metrics()
    queried = {name for expression in expressions() for name in _METRIC.findall(expression)}
    queried |= {name for group in rule_groups()["groups"] for rule in group["rules"]
                for name in _METRIC.findall(rule["expr"])}  # fmt: skip
    assert queried, "no kq_ metric found in the queries"
    assert queried <= exported, queried - exported
    # The panels the issue asks for: allocation per node, free capacity, headroom per shape.
    assert {"kq_node_requests", "kq_node_allocatable", "kq_node_free", "kq_headroom_pods"} <= queried


@needs_promtool
def test_every_dashboard_expression_is_valid_promql(tmp_path: Path) -> None:
    """promtool parses each expression (as a recording rule) once Grafana's variables are filled in."""
    rules = [{"record": f"dashboard:expression_{i}", "expr": filled(e)} for i, e in enumerate(expressions())]
    path = tmp_path / "dashboard-rules.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    checked = subprocess.run([str(PROMTOOL), "check", "rules", str(path)], capture_output=True, text=True,
                             timeout=60)  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(rules)} rules found" in checked.stdout


@needs_promtool
def test_promtool_accepts_the_alert_rules(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(rule_groups()))
    checked = subprocess.run([str(PROMTOOL), "check", "rules", str(path)], capture_output=True, text=True,
                             timeout=60)  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 3 rules found" in checked.stdout


#: promtool's unit tests of the rules: the headroom alert is pending before 5 minutes below 3, then fires;
#: a replica a moment behind (max) does not fire it; other shapes do not.
UNIT_TESTS = """
rule_files: [rules.yaml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'kq_headroom_pods{shape="web", instance="a:8080", job="kube-quantities"}'
        values: '5 5 2 2 2 2 2 2 2 2 2 2 4 4'
      - series: 'kq_headroom_pods{shape="web", instance="b:8080", job="kube-quantities"}'
        values: '5 5 2 2 2 2 2 2 2 2 2 2 4 4'
      - series: 'kq_headroom_pods{shape="batch", instance="a:8080", job="kube-quantities"}'
        values: '0 0 0 0 0 0 0 0 0 0 0 0 0 0'
      - series: 'kq_cluster_ready{instance="a:8080", job="kube-quantities"}'
        values: '1 1 1 1 1 1 1 1 1 1 0 0 0 0'
      - series: 'kq_cluster_ready{instance="b:8080", job="kube-quantities"}'
        values: '1 1 1 1 1 1 0 0 0 0 0 0 0 0'
      - series: 'kq_cluster_stale{instance="a:8080", job="kube-quantities"}'
        values: '0x13'
    alert_rule_test:
      - eval_time: 1m
        alertname: KubeQuantitiesLowHeadroom
        exp_alerts: []
      - eval_time: 6m
        alertname: KubeQuantitiesLowHeadroom
        exp_alerts: []
      - eval_time: 7m
        alertname: KubeQuantitiesLowHeadroom
        exp_alerts:
          - exp_labels: {severity: warning, shape: web}
            exp_annotations:
              summary: 'Fewer than 3 more "web" pods would fit in the cluster'
              description: >-
                The scheduler would place only 2 more pods of the probe shape "web"
                (kq_headroom_pods). Add nodes or free capacity before the next scale-up;
                kq_stranded shows capacity that is free but unusable for this shape.
      - eval_time: 12m
        alertname: KubeQuantitiesLowHeadroom
        exp_alerts: []
      - eval_time: 13m
        alertname: KubeQuantitiesNoClusterState
        exp_alerts: []
      - eval_time: 10m
        alertname: KubeQuantitiesClusterStateStale
        exp_alerts: []
"""


@needs_promtool
def test_promtool_unit_tests_of_the_alerts(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rule_groups()))
    (tmp_path / "tests.yaml").write_text(UNIT_TESTS)
    tested = subprocess.run([str(PROMTOOL), "test", "rules", "tests.yaml"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


@needs_promtool
def test_promtool_unit_tests_fail_when_the_alert_is_wrong(tmp_path: Path) -> None:
    """The unit tests can fail: with a threshold of 2 the alert never fires and promtool says so."""
    groups = rule_groups()
    groups["groups"][0]["rules"][0]["expr"] = groups["groups"][0]["rules"][0]["expr"].replace("< 3", "< 2")
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(groups))
    (tmp_path / "tests.yaml").write_text(UNIT_TESTS)
    tested = subprocess.run([str(PROMTOOL), "test", "rules", "tests.yaml"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert tested.returncode != 0
