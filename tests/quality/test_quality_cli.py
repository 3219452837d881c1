"""`shopdb quality`: the table of the checks, exit code 1 on an anomaly and 0 on a clean
database, each run recorded, and the gauges written for node_exporter with --textfile."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from shopdb import Database
from shopdb.cli import main
from shopdb.quality import CHECKS
from tests.schema.rows import Rows


def quality(db_url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["quality", *args], env={"DATABASE_URL": db_url})


def runs(db: Database) -> int:
    with db.pool.connection() as conn:
        row = conn.execute("SELECT count(*) FROM quality_runs").fetchone()
    assert row is not None
    return int(row[0])


def test_a_clean_database_prints_every_check_ok_and_exits_0(db: Database, db_url: str) -> None:
    result = quality(db_url)

    assert result.exit_code == 0, result.output
    for check in CHECKS:
        assert any(line.split()[:2] == [check.name, "ok"] for line in result.output.splitlines())
    assert f"0 of {len(CHECKS)} checks found offending rows" in result.output
    assert runs(db) == 1


def test_an_anomaly_is_printed_with_its_ids_and_exits_1(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    with db.transaction() as tx:
        product = Rows(tx.connection).insert("products")
    textfile = tmp_path / "shopdb_quality.prom"

    result = quality(db_url, "--textfile", str(textfile))

    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if "product_without_variants" in line)
    assert line.split()[1] == "1"
    assert str(product["id"]) in line
    assert f"Error: 1 of {len(CHECKS)} checks found offending rows" in result.output
    exported = textfile.read_text()
    assert 'shopdb_quality_offending_rows{check="product_without_variants"} 1.0' in exported
    assert 'shopdb_quality_offending_rows{check="order_amounts_mismatch"} 0.0' in exported
    assert "shopdb_quality_last_run_timestamp_seconds" in exported
    assert runs(db) == 1
