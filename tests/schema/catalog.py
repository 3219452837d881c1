"""Catalog snapshots and look-ups for the schema tests (inline SQL is fine in tests).

A snapshot is every object of the project in the database, each described by the text the
server gives for it (pg_get_*def, format_type, comments), so two snapshots are equal exactly
when the two schemas are. yoyo's bookkeeping tables are not part of the project and are left
out; everything else of the public schema, and any other schema, is in.
"""

from __future__ import annotations

from typing import Any

import psycopg

Snapshot = dict[str, list[tuple[Any, ...]]]

# Every query keeps to the schemas of users (not pg_catalog, information_schema, pg_toast...)
# and leaves out yoyo's tables (_yoyo_log, _yoyo_migration, _yoyo_version, yoyo_lock).

SNAPSHOT_QUERIES: dict[str, str] = {
    "schemas": """
        SELECT n.nspname, obj_description(n.oid, 'pg_namespace')
          FROM pg_namespace n WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname !~ '^pg_'""",
    "extensions": "SELECT extname, extversion FROM pg_extension",
    "relations": """
        SELECT n.nspname, c.relname, c.relkind, c.relpersistence, c.relispartition,
               pg_get_expr(c.relpartbound, c.oid), pg_get_partkeydef(c.oid),
               obj_description(c.oid, 'pg_class')
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname !~ '^pg_' AND c.relkind NOT IN ('i', 'I', 't')
           AND c.relname !~ '^_?yoyo'""",
    "columns": """
        SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
               a.attnotnull, a.attgenerated, a.attidentity, pg_get_expr(d.adbin, d.adrelid),
               col_description(c.oid, a.attnum), a.attcollation::regcollation::text
          FROM pg_attribute a
          JOIN pg_class c ON c.oid = a.attrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname !~ '^pg_' AND a.attnum > 0 AND NOT a.attisdropped
           AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c') AND c.relname !~ '^_?yoyo'""",
    "constraints": """
        SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid), k.condeferrable,
               k.condeferred, k.convalidated, k.conislocal, k.coninhcount,
               obj_description(k.oid, 'pg_constraint')
          FROM pg_constraint k
          JOIN pg_namespace n ON n.oid = k.connamespace
          LEFT JOIN pg_class c ON c.oid = k.conrelid
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname !~ '^pg_' AND coalesce(c.relname, '') !~ '^_?yoyo'""",
    "indexes": """
        SELECT t.relname, i.relname, pg_get_indexdef(x.indexrelid), x.indisvalid,
               x.indisready, obj_description(i.oid, 'pg_class')
          FROM pg_index x
          JOIN pg_class i ON i.oid = x.indexrelid
          JOIN pg_class t ON t.oid = x.indrelid
          JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname !~ '^pg_' AND t.relname !~ '^_?yoyo'""",
    "triggers": """
        SELECT c.relname, g.tgname, pg_get_triggerdef(g.oid), g.tgenabled
          FROM pg_trigger g
          JOIN pg_class c ON c.oid = g.tgrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname !~ '^pg_' AND NOT g.tgisinternal""",
    "functions": """
        SELECT p.proname, pg_get_function_identity_arguments(p.oid), p.prokind,
               CASE WHEN p.prokind IN ('f', 'p', 'w') THEN pg_get_functiondef(p.oid) END,
               obj_description(p.oid, 'pg_proc')
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname !~ '^pg_'""",
    "types": """
        SELECT t.typname, t.typtype, format_type(t.oid, NULL),
               obj_description(t.oid, 'pg_type')
          FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname !~ '^pg_'
           AND (t.typrelid = 0 OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
           AND t.typcategory <> 'A'""",
    "sequences": """
        SELECT c.relname, s.seqtypid::regtype::text, s.seqstart, s.seqincrement
          FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname !~ '^pg_' AND c.relname !~ '^_?yoyo'""",
    "policies": "SELECT polrelid::regclass::text, polname FROM pg_policy",
    "rules": """
        SELECT r.tablename, r.rulename, r.definition FROM pg_rules r
         WHERE r.schemaname NOT IN ('pg_catalog', 'information_schema')
           AND r.tablename !~ '^_?yoyo'""",
    "event_triggers": "SELECT evtname FROM pg_event_trigger",
}


def snapshot(conn: psycopg.Connection[Any]) -> Snapshot:
    """Every object of the project in the database, as sorted tuples per kind of object."""
    return {
        kind: sorted(tuple(row) for row in conn.execute(query).fetchall())
        for kind, query in SNAPSHOT_QUERIES.items()
    }


def difference(before: Snapshot, after: Snapshot) -> dict[str, dict[str, list[Any]]]:
    """Per kind of object: what only ``before`` has (gone) and what only ``after`` has (new)."""
    found: dict[str, dict[str, list[Any]]] = {}
    for kind in before.keys() | after.keys():
        old, new = set(before.get(kind, [])), set(after.get(kind, []))
        if old != new:
            found[kind] = {"gone": sorted(old - new, key=str), "new": sorted(new - old, key=str)}
    return found


def is_empty(snap: Snapshot) -> bool:
    """True when nothing of the project is left (the public schema and plpgsql may stay)."""
    leftovers = {
        kind: rows for kind, rows in snap.items() if kind not in ("schemas", "extensions") and rows
    }
    return not leftovers


def rows(conn: psycopg.Connection[Any], query: str, *params: Any) -> list[tuple[Any, ...]]:
    """All rows of ``query`` as tuples."""
    return conn.execute(query, params or None).fetchall()


TABLES = """
    SELECT c.relname FROM pg_class c
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
       AND NOT c.relispartition AND c.relname !~ '^_?yoyo'
     ORDER BY 1"""


def tables(conn: psycopg.Connection[Any]) -> list[str]:
    """The project's tables (partitioned parents, not their partitions)."""
    return [row[0] for row in rows(conn, TABLES)]


def columns(conn: psycopg.Connection[Any], table: str) -> dict[str, tuple[str, bool, str | None]]:
    """``{column: (type as format_type gives it, not null, default)}`` of one table."""
    found = rows(
        conn,
        """SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  pg_get_expr(d.adbin, d.adrelid)
             FROM pg_attribute a
             LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum""",
        table,
    )
    return {name: (type_, not_null, default) for name, type_, not_null, default in found}
