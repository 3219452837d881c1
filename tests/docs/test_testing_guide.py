"""The pytest command of docs/testing.md, run as written: a nested session of the suite."""

from __future__ import annotations

import re

from tests.docs.shell import run_documented


def test_a_folder_by_name_in_one_process() -> None:
    # The nested session chooses its own server exactly as this one did (the same environment);
    # it runs a few tests, so the query-coverage check of `make test` is not for it.
    result = run_documented(
        ".venv/bin/python -m pytest tests/models -q -n 0 -k email",
        {"SHOPDB_CHECK_QUERY_COVERAGE": ""},
    )

    passed = re.search(r"(\d+) passed, (\d+) deselected", result.stdout)
    assert passed is not None, result.stdout
    assert int(passed[1]) > 0 and int(passed[2]) > 0
