"""docs/schema.md is generated from the live catalog by `shopdb schema-doc`, and kept current."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import psycopg
from click.testing import CliRunner

from shopdb import Settings, schema_doc
from shopdb.cli import main
from shopdb.testing import url_of
from tests.schema.catalog import tables

DOC = Path(__file__).resolve().parents[2] / "docs" / "schema.md"


def generated(conn: psycopg.Connection[Any]) -> str:
    """What `shopdb schema-doc` writes for the database of ``conn``."""
    return schema_doc.generate(Settings(database_url=url_of(conn.info)))


def test_the_committed_schema_doc_is_what_the_command_generates(
    schema_db: psycopg.Connection[Any],
) -> None:
    assert DOC.read_text(encoding="utf-8") == generated(schema_db), (
        "docs/schema.md is out of date: migrate a database and run `make schema-doc`"
    )


def test_the_doc_describes_every_table_and_draws_it(schema_db: psycopg.Connection[Any]) -> None:
    text = generated(schema_db)
    diagram = text[text.index("```mermaid") : text.index("```", text.index("```mermaid") + 3)]

    for table in tables(schema_db):
        assert f"\n### {table}\n" in text
        assert f"\n    {table} {{\n" in diagram
    assert '    users ||--o{ user_sessions : "user_id"' in diagram
    assert '    carts |o--o| orders : "cart_id"' in diagram
    assert '    categories |o--o{ categories : "parent_id"' in diagram
    assert "        uuid user_id PK, FK" in diagram
    assert "| `reviews` | `product_id` | `products` | CASCADE |" in text


def test_no_partition_name_makes_the_doc_depend_on_the_month(
    schema_db: psycopg.Connection[Any],
) -> None:
    assert not re.search(r"audit_logs_y\d{4}m\d{2}", generated(schema_db))


def test_the_command_writes_the_doc_and_checks_it(
    tmp_path: Path, schema_db: psycopg.Connection[Any]
) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": url_of(schema_db.info)}
    output = tmp_path / "schema.md"

    wrote = runner.invoke(main, ["schema-doc", "--output", str(output)], env=env)
    again = runner.invoke(main, ["schema-doc", "--output", str(output)], env=env)
    checked = runner.invoke(main, ["schema-doc", "--output", str(output), "--check"], env=env)
    output.write_text(output.read_text() + "hand edit\n")
    stale = runner.invoke(main, ["schema-doc", "--output", str(output), "--check"], env=env)

    assert (wrote.exit_code, wrote.output) == (0, f"wrote {output}\n")
    assert (again.exit_code, again.output) == (0, f"unchanged {output}\n")
    assert (checked.exit_code, checked.output) == (0, f"{output} is up to date\n")
    assert stale.exit_code == 1
    assert "is out of date: run `shopdb schema-doc`" in stale.output


def test_the_command_refuses_a_database_with_pending_migrations(
    tmp_path: Path, empty_url: str
) -> None:
    result = CliRunner().invoke(
        main,
        ["schema-doc", "--output", str(tmp_path / "schema.md")],
        env={"DATABASE_URL": empty_url},
    )

    assert result.exit_code == 1
    assert "migrate first: 0001_foundation" in result.output
    assert not (tmp_path / "schema.md").exists()


def test_check_of_a_missing_file_says_it_is_missing(
    tmp_path: Path, schema_db: psycopg.Connection[Any]
) -> None:
    output = tmp_path / "schema.md"

    result = CliRunner().invoke(
        main,
        ["schema-doc", "--output", str(output), "--check"],
        env={"DATABASE_URL": url_of(schema_db.info)},
    )

    assert result.exit_code == 1
    assert f"{output} is missing: run `shopdb schema-doc`" in result.output
    assert not output.exists()
