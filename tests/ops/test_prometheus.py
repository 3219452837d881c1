"""ops/: the alert rules and the Grafana dashboard against Debian's Prometheus (`make test`
installs the package when promtool or prometheus is missing: `make prometheus-tools`).

promtool checks the rules and runs their unit tests (ops/prometheus/shopdb-alerts.test.yml);
then a real Prometheus scrapes this process (an application running fast, slow and failing
queries, and cached reads over a private redis-server) and a `shopdb metrics-serve` process,
and every expression of the rules and of the dashboard must return data through its query
API.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from shopdb import Database, Settings
from shopdb.core.errors import QueryTimeout
from shopdb.core.queries import Query
from shopdb.core.runner import execute
from shopdb.models import Actor
from shopdb.observability.metrics_server import MetricsServer
from shopdb.testing import with_settings
from shopdb.testing.redis_server import redis_server
from tests.observability.test_metrics_server import free_port
from tests.support.catalog import new_product
from tests.support.waiting import until

OPS = Path(__file__).resolve().parents[2] / "ops"
RULES = OPS / "prometheus" / "shopdb-alerts.yml"
RULE_TESTS = OPS / "prometheus" / "shopdb-alerts.test.yml"
DASHBOARD = OPS / "grafana" / "shopdb-dashboard.json"
# What Grafana puts in for the dashboard's variables: every job and instance, a 1m window.
VARIABLES = {"$__rate_interval": "1m", '"$job"': '".*"', '"$instance"': '".*"'}


def tool(name: str) -> str:
    """The path of a Prometheus program; the test fails (not skips) without it."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: `make prometheus-tools` installs Debian's prometheus")
    return path


def rule_names(kind: str) -> list[str]:
    """The names of the rules file's ``record`` or ``alert`` rules."""
    return re.findall(rf"^\s*- {kind}: (\S+)$", RULES.read_text(), flags=re.MULTILINE)


def dashboard_expressions() -> list[str]:
    """Every panel query of the dashboard, its variables filled in as Grafana would."""
    dashboard = json.loads(DASHBOARD.read_text())
    found = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):  # a row has none
            expr: str = target["expr"]
            for variable, value in VARIABLES.items():
                expr = expr.replace(variable, value)
            found.append(expr)
    return found


def test_promtool_accepts_the_rules() -> None:
    done = subprocess.run(
        [tool("promtool"), "check", "rules", str(RULES)], capture_output=True, text=True
    )

    assert done.returncode == 0, done.stdout + done.stderr
    count = len(rule_names("record")) + len(rule_names("alert"))
    assert f"SUCCESS: {count} rules found" in done.stdout


def test_each_alert_fires_on_an_unhealthy_process_and_none_on_a_healthy_one() -> None:
    done = subprocess.run(
        [tool("promtool"), "test", "rules", str(RULE_TESTS)],
        capture_output=True,
        text=True,
        cwd=RULE_TESTS.parent,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    tested = RULE_TESTS.read_text()
    assert all(f"alertname: {name}" in tested for name in rule_names("alert"))


def test_the_dashboard_shows_the_histogram_the_slow_counter_and_the_pool_gauges() -> None:
    used = " ".join(dashboard_expressions())

    for metric in (
        "shopdb_query_duration_seconds_bucket",
        "shopdb_slow_queries_total",
        "shopdb_query_errors_total",
        "shopdb_pool_pool_size",
        "shopdb_pool_pool_available",
        "shopdb_pool_pool_max",
        "shopdb_pool_requests_waiting",
        "shopdb_cache_events_total",
        "shopdb_cache_breaker_state",
        "shopdb_cache_invalidations_total",
    ):
        assert metric in used


@pytest.fixture
def application(settings: Settings, slow: Mapping[str, Query]) -> Iterator[MetricsServer]:
    """This process as an application under Prometheus: a Database running a fast query
    and a cached read every 20 ms and, every tenth time, one that is slow and then times out
    (slow and failed) and a price change (an invalidation), its metrics served on a free
    port; its cache on a redis-server of its own."""
    stop = threading.Event()

    def work(db: Database, product_id: UUID) -> None:
        turn = 0
        while not stop.is_set():
            db.users.count()
            db.products.get_with_details(product_id)
            turn += 1
            if turn % 10 == 0:
                with db.pool.connection() as conn, pytest.raises(QueryTimeout):
                    execute(conn, slow["pause"], {}, db.timer)
                version = db.products.get(product_id).version
                price = Decimal(turn % 1000)
                db.products.change_price(
                    product_id, price, expected_version=version, actor=Actor.system()
                )
            stop.wait(0.02)

    with redis_server() as redis_srv:
        app = with_settings(
            settings, slow_query_ms=100, query_timeout_ms=150, redis_url=redis_srv.url,
            cache_timeout_ms=1000,
        )  # fmt: skip
        with Database(app) as db, MetricsServer(0) as server:
            product_id = db.products.create_with_variants(new_product()).product.id
            worker = threading.Thread(target=work, args=(db, product_id))
            worker.start()
            try:
                yield server
            finally:
                stop.set()
                worker.join()


@pytest.fixture
def metrics_serve(settings: Settings) -> Iterator[str]:
    """A `shopdb metrics-serve` process pinging every 0.2 s; its host:port."""
    port = free_port()
    command = [str(Path(sys.executable).with_name("shopdb")), "metrics-serve"]
    command += ["--port", str(port), "--interval", "0.2"]
    env = {**os.environ, "DATABASE_URL": settings.database_url.get_secret_value()}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("serving metrics on")
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.communicate(timeout=10)


@pytest.fixture
def prometheus(tmp_path: Path, application: MetricsServer, metrics_serve: str) -> Iterator[str]:
    """A Prometheus scraping both every 2 s, the rules evaluated every second; its URL."""
    port = free_port()
    config = {
        # A test worker's exposition is ~400 kB (every query's histogram, taken in ~0.15 s
        # idle): under a loaded machine a 0.5 s scrape timed out and the target went down.
        "global": {
            "scrape_interval": "2s",
            "scrape_timeout": "2s",
            "evaluation_interval": "1s",
        },
        "rule_files": [str(RULES)],
        "scrape_configs": [
            {
                "job_name": "shop",
                "static_configs": [
                    {"targets": [f"127.0.0.1:{application.port}"], "labels": {"role": "app"}},
                    {"targets": [metrics_serve], "labels": {"role": "metrics-serve"}},
                ],
            }
        ],
    }
    (tmp_path / "prometheus.yml").write_text(json.dumps(config))  # JSON is YAML
    command = [
        tool("prometheus"),
        f"--config.file={tmp_path / 'prometheus.yml'}",
        f"--storage.tsdb.path={tmp_path / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    log = (tmp_path / "prometheus.log").open("w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        until(lambda: _ready(url), timeout_s=30, what="Prometheus to be ready")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as response:  # noqa: S310
            ready: bool = response.status == 200
            return ready
    except OSError:
        return False


def _api(url: str, path: str, **params: str) -> Any:
    query = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{url}/api/v1/{path}?{query}", timeout=5) as response:  # noqa: S310
        body = json.loads(response.read())
    assert body["status"] == "success", body
    return body["data"]


def _results(url: str, expr: str) -> list[dict[str, Any]]:
    data = _api(url, "query", query=expr)
    results: list[dict[str, Any]] = data["result"]
    return results


def test_prometheus_finds_data_for_every_rule_and_panel(prometheus: str) -> None:
    expressions = [*rule_names("record"), *dashboard_expressions()]

    def roles(expr: str) -> set[str]:
        return {r["metric"].get("role", "") for r in _results(prometheus, expr)}

    def has_data(expr: str) -> Callable[[], bool]:
        return lambda: bool(_results(prometheus, expr))

    for expr in expressions:
        until(has_data(expr), timeout_s=60, what=f"data for {expr}")
    targets = _api(prometheus, "targets")["activeTargets"]
    errors = {t["labels"]["role"]: t["lastError"] for t in targets}
    assert roles("shopdb_pool_pool_size") == {"app", "metrics-serve"}, errors
    assert roles('shopdb_query_duration_seconds_count{query="health.ping"}') >= {"metrics-serve"}
    # The gauge of ShopdbRowsInDefaultPartition, sampled by metrics-serve: 0 rows in each.
    until(has_data("shopdb_partition_default_rows"), timeout_s=30, what="the default-rows gauge")
    defaults = _results(prometheus, 'shopdb_partition_default_rows{role="metrics-serve"}')
    assert {r["metric"]["table"]: r["value"][1] for r in defaults} == {
        "audit_logs": "0",
        "security_events": "0",
    }

    rules = _api(prometheus, "rules")["groups"]
    health = {r["name"]: (r["health"], r.get("lastError", "")) for g in rules for r in g["rules"]}
    assert set(health) == {*rule_names("record"), *rule_names("alert")}
    assert all(state == ("ok", "") for state in health.values()), health


def test_the_application_slow_and_failing_queries_put_its_alerts_in_pending(
    prometheus: str, application: MetricsServer
) -> None:
    instance = f"127.0.0.1:{application.port}"

    def pending() -> set[str]:
        alerts = _api(prometheus, "alerts")["alerts"]
        return {a["labels"]["alertname"] for a in alerts if a["labels"]["instance"] == instance}

    # One query in eleven is slow and fails: over the 1% and 5% budgets (each waits its `for`).
    until(
        lambda: {"ShopdbSlowQueriesOverOnePercent", "ShopdbQueryErrors"} <= pending(),
        timeout_s=60,
        what="the slow-share and error-ratio alerts of the application",
    )
    ratio = _results(prometheus, f'shopdb:slow_query_ratio:rate15m{{instance="{instance}"}}')
    assert ratio and float(ratio[0]["value"][1]) > 0.01
