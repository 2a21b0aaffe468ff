"""deploy/prometheus/alerts.yml, the alerting rules shipped with the project:
one rule per alert of monitoring.alerts (the runbook's), on series /metrics
really serves, thresholds from the settings (never a number in a rule), each
rule annotated with its runbook section and unit-tested by promtool
(alerts.test.yml, run by `make lint`) with a case that fires and one that does
not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.support.database import rows

ROOT = Path(__file__).resolve().parents[1]
RULES = yaml.safe_load((ROOT / "deploy" / "prometheus" / "alerts.yml").read_text())
TESTS = yaml.safe_load((ROOT / "deploy" / "prometheus" / "alerts.test.yml").read_text())
RUNBOOK = (ROOT / "docs" / "runbook.md").read_text()
RULE_LIST = [rule for group in RULES["groups"] for rule in group["rules"]]
# The rule that watches the series themselves, not a row of monitoring.alerts.
SERIES_WATCH = "MomoMonitoringBlind"


def view_alert(rule: dict) -> str | None:
    """The monitoring.alerts row a rule reads (its alert="..." selector)."""
    names = set(re.findall(r'alert="([a-z_]+)"', rule["expr"]))
    assert len(names) <= 1, rule["expr"]
    return names.pop() if names else None


def github_anchor(heading: str) -> str:
    return re.sub(r"[^a-z0-9_ -]", "", heading.lower()).replace(" ", "-")


def test_every_runbook_alert_has_one_rule_and_every_rule_one_alert(admin):
    alerts = sorted(row["alert"] for row in rows(admin, "select alert from monitoring.alerts"))
    ruled = sorted(view_alert(r) for r in RULE_LIST if r["alert"] != SERIES_WATCH)
    assert ruled == alerts
    assert [r["alert"] for r in RULE_LIST].count(SERIES_WATCH) == 1


@pytest.mark.parametrize("rule", RULE_LIST, ids=lambda r: r["alert"])
def test_each_rule_names_its_runbook_section(rule):
    # heading -> the text under it, up to the next heading
    heading_and_text = r"^#{2,4} ([^\n]+)\n(.*?)(?=^#{2,4} |\Z)"
    sections = dict(re.findall(heading_and_text, RUNBOOK, flags=re.M | re.S))
    section = rule["annotations"]["runbook"]
    assert section in sections
    assert rule["annotations"]["runbook_url"] == f"docs/runbook.md#{github_anchor(section)}"
    if view_alert(rule) is not None:
        assert f"`{view_alert(rule)}`" in section + sections[section]


@pytest.mark.parametrize("rule", RULE_LIST, ids=lambda r: r["alert"])
def test_thresholds_come_from_the_settings_not_the_rule(rule):
    """A rule compares momo_alert_value with momo_alert_threshold (app_settings) or
    follows momo_alert_firing; the only numbers are 0/1 flags."""
    assert set(re.findall(r"[<>=]=?\s*([0-9.]+)", rule["expr"])) <= {"0", "1"}
    if view_alert(rule) is not None:
        assert "momo_alert_threshold" in rule["expr"] or "momo_alert_firing" in rule["expr"]


@pytest.mark.parametrize("rule", RULE_LIST, ids=lambda r: r["alert"])
def test_each_rule_has_a_promtool_case_that_fires_and_one_that_does_not(rule):
    cases = [
        case
        for test in TESTS["tests"]
        for case in test["alert_rule_test"]
        if case["alertname"] == rule["alert"]
    ]
    assert any(case["exp_alerts"] for case in cases)
    assert any(not case["exp_alerts"] for case in cases)


def test_the_rules_read_series_that_metrics_serves(admin, make_app):
    response = make_app().test_client().get("/metrics")
    assert response.status_code == 200
    served = {
        (sample.name, sample.labels.get("alert"))
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }
    for rule in RULE_LIST:
        for metric in set(re.findall(r"\b(momo_[a-z_]+)", rule["expr"])):
            assert (metric, view_alert(rule)) in served, (rule["alert"], metric)
