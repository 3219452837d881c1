"""How a seed run shows progress, and the `shopdb seed` command."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from shopdb import Database
from shopdb.cli import main
from shopdb.seeds import seed
from shopdb.seeds.progress import LineProgress, RichProgress, progress_for


def test_plain_lines_say_each_step_and_every_tenth_of_a_long_one() -> None:
    stream = io.StringIO()
    lines = LineProgress("qa", stream)

    lines.start("products", 2000)
    for _ in range(20):
        lines.advance(100)
    lines.finish()

    text = stream.getvalue().splitlines()
    assert text[0] == "seed qa: products: 2000 to seed"
    assert "seed qa: products: 200/2000" in text
    assert len(text) == 11
    assert text[-1].startswith("seed qa: products: 2000 done in ")


def test_without_a_terminal_the_default_is_plain_lines(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_for("dev", None) as shown:
        shown.start("orders", 6)
        shown.finish()

    assert isinstance(shown, LineProgress)
    assert "seed dev: orders: 6 done" in capsys.readouterr().err


def test_a_forced_bar_is_a_rich_progress_bar(db: Database) -> None:
    with progress_for("dev", True) as shown:
        assert isinstance(shown, RichProgress)

    report = seed(db, "dev", progress=True)
    assert report.counts["orders"] > 0


def test_the_seed_command_seeds_and_says_what_it_added(db_url: str) -> None:
    runner = CliRunner()

    first = runner.invoke(main, ["seed", "--profile", "demo"], env={"DATABASE_URL": db_url})
    second = runner.invoke(main, ["seed", "--profile", "demo"], env={"DATABASE_URL": db_url})

    assert first.exit_code == 0, first.output
    assert "seeded demo (scale 1)" in first.output
    assert "0 rows added" in second.output


def test_the_seed_command_refuses_an_unknown_profile_and_a_missing_password(db_url: str) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": db_url, "SHOPDB_ADMIN_PASSWORD": ""}

    unknown = runner.invoke(main, ["seed", "--profile", "staging"], env=env)
    no_password = runner.invoke(main, ["seed", "--profile", "prod"], env=env)
    no_scale = runner.invoke(main, ["seed", "--profile", "dev", "--scale", "0"], env=env)

    assert unknown.exit_code == 2
    assert no_password.exit_code == 1
    assert no_password.output.count("\n") == 1
    assert "SHOPDB_ADMIN_PASSWORD" in no_password.output
    assert no_scale.exit_code == 2


@pytest.mark.timeout(600)
def test_the_commands_of_the_seeds_guide_run_as_written(db_url: str) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": db_url}
    prod_env = {**env, "SHOPDB_ADMIN_PASSWORD": "a long secret"}

    results = [
        runner.invoke(main, ["migrate"], env=env),
        runner.invoke(main, ["seed", "--profile", "prod"], env=prod_env),
        runner.invoke(main, ["seed", "--profile", "dev"], env=env),
        runner.invoke(main, ["seed", "--profile", "dev", "--scale", "2"], env=env),
        runner.invoke(main, ["seed", "--profile", "qa", "--no-progress"], env=env),
    ]

    assert [r.exit_code for r in results] == [0] * 5, [r.output for r in results]
    assert "seed qa: orders" not in results[-1].output  # --no-progress: the logger only
