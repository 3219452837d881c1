"""How the test suite picks its PostgreSQL server."""

from __future__ import annotations

import socket

import pytest

from shopdb.testing import NoServer, choose_server, reachable


def _never(host: str, port: int) -> bool:
    return False


def _always(host: str, port: int) -> bool:
    return True


def test_a_server_named_by_the_test_variable_wins() -> None:
    env = {
        "SHOPDB_TEST_DATABASE_URL": "postgresql://tester:pw@db.example:6543/x",
        "DATABASE_URL": "postgresql://app@elsewhere:5432/app",
    }

    server = choose_server(env, _always, is_root=True)

    assert (server.mode, server.host, server.port, server.user) == (
        "env",
        "db.example",
        6543,
        "tester",
    )
    assert server.url("t1") == "postgresql://tester:pw@db.example:6543/t1"


def test_the_application_database_url_is_never_taken_for_the_test_server() -> None:
    server = choose_server({"DATABASE_URL": "postgresql://app@elsewhere:5433/app"}, _always)

    assert (server.mode, server.host, server.port) == ("local", "127.0.0.1", 5432)


def test_the_local_server_is_used_when_none_is_named_and_it_answers() -> None:
    server = choose_server({}, _always, is_root=True)

    assert (server.mode, server.host, server.port, server.user) == (
        "local",
        "127.0.0.1",
        5432,
        "postgres",
    )


def test_a_throwaway_cluster_is_started_when_nothing_answers_and_we_are_not_root() -> None:
    assert choose_server({}, _never, is_root=False).mode == "proc"


def test_as_root_with_no_server_the_message_says_what_to_set() -> None:
    with pytest.raises(NoServer, match="SHOPDB_TEST_DATABASE_URL") as raised:
        choose_server({}, _never, is_root=True)

    assert "root" in str(raised.value)


def test_reachable_tells_a_listening_port_from_a_closed_one() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listening:
        port = listening.getsockname()[1]
        assert reachable("127.0.0.1", port) is True
    assert reachable("127.0.0.1", port, timeout_s=0.5) is False
