"""Servers of the scale tests: a primary with a streaming standby, started once per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shopdb.testing.replication import Node, streaming_pair


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[Node, Node]]:
    """A primary (its ``shop`` database migrated) and a streaming standby of it."""
    with streaming_pair() as nodes:
        yield nodes
