"""The seed commands of docs/seeds.md, run as written on a migrated copy: each seeds, and a
second run of it adds no row."""

from __future__ import annotations

import re

from tests.docs.shell import run_documented

PROD = "SHOPDB_ADMIN_PASSWORD='a long secret' shopdb seed --profile prod"
DEV = "shopdb seed --profile dev"


def _added(output: str) -> int:
    found = re.search(r"(\d+) rows added", output)
    assert found is not None, output
    return int(found[1])


def test_the_prod_and_dev_seed_commands_seed_once(db_url: str) -> None:
    env = {"DATABASE_URL": db_url}
    runs = [run_documented(command, env).stdout for command in (PROD, DEV, PROD, DEV)]

    assert "seeded prod" in runs[0] and "seeded dev" in runs[1]
    assert [_added(run) > 0 for run in runs] == [True, True, False, False]
