"""Settings: the environment, keyword overrides, and errors that name the variable."""

from __future__ import annotations

import pytest
from psycopg.conninfo import conninfo_to_dict

from shopdb import ConfigurationError, Settings
from shopdb.settings import mask_password

URL = "postgresql://shop:hunter2secret@db.internal:5432/shop"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


def test_defaults_follow_the_design(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", URL)
    settings = Settings()

    assert (settings.database_pool_min, settings.database_pool_max) == (5, 20)
    assert (settings.query_timeout_ms, settings.slow_query_ms) == (5000, 200)


def test_every_documented_variable_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", URL)
    monkeypatch.setenv("DATABASE_POOL_MIN", "2")
    monkeypatch.setenv("DATABASE_POOL_MAX", "7")
    monkeypatch.setenv("QUERY_TIMEOUT_MS", "1234")
    monkeypatch.setenv("SLOW_QUERY_MS", "99")
    settings = Settings()

    assert (settings.database_pool_min, settings.database_pool_max) == (2, 7)
    assert (settings.query_timeout_ms, settings.slow_query_ms) == (1234, 99)
    assert settings.database_url.get_secret_value() == URL


def test_keyword_arguments_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", URL)
    monkeypatch.setenv("SLOW_QUERY_MS", "99")

    settings = Settings(slow_query_ms=10, database_url="postgresql://other@h/db2")

    assert settings.slow_query_ms == 10
    assert settings.database_url.get_secret_value() == "postgresql://other@h/db2"


def test_a_missing_database_url_is_one_clear_error_naming_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="DATABASE_URL is not set"):
        Settings()


@pytest.mark.parametrize(
    "bad", ["not a url", "mysql://u:hunter2secret@h/db", "postgresql://u:hunter2secret@h"]
)
def test_a_malformed_database_url_names_the_variable_and_hides_the_password(bad: str) -> None:
    with pytest.raises(ConfigurationError, match="DATABASE_URL") as raised:
        Settings(database_url=bad)

    assert "hunter2secret" not in str(raised.value)


def test_a_pool_max_below_its_min_is_refused_with_both_names() -> None:
    with pytest.raises(ConfigurationError, match=r"DATABASE_POOL_MAX.*DATABASE_POOL_MIN"):
        Settings(database_url=URL, database_pool_min=10, database_pool_max=2)


def test_the_password_never_shows_in_repr_str_or_the_safe_url() -> None:
    settings = Settings(database_url=URL, cursor_secret="cursor-key-value-0123456789abcdef")

    for text in (repr(settings), str(settings), settings.safe_url, str(settings.model_dump())):
        assert "hunter2secret" not in text
        assert "cursor-key-value-0123456789abcdef" not in text
    assert settings.safe_url == "postgresql://shop:***@db.internal:5432/shop"


def test_a_driver_suffix_in_the_scheme_is_accepted_and_removed_for_libpq() -> None:
    settings = Settings(database_url="postgresql+psycopg://u@h:5432/db")

    assert settings.conninfo == "postgresql://u@h:5432/db"


def test_prepared_statements_can_be_switched_off_for_old_pgbouncer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", URL)
    for spelling in ("none", "None", "off"):
        monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", spelling)
        assert Settings().database_prepare_threshold is None
    assert Settings(database_prepare_threshold=0).database_prepare_threshold == 0


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        (
            "postgresql://postgres@127.0.0.1:1/x?password=hunter2secret",
            "postgresql://postgres@127.0.0.1:1/x?password=***",
        ),
        (
            "postgresql://u@h/db?sslmode=require&pass%77ord=hunter2secret&connect_timeout=3",
            "postgresql://u@h/db?sslmode=require&pass%77ord=***&connect_timeout=3",
        ),
        (
            "postgresql://u:hunter2secret@h/db?sslpassword=hunter2secret",
            "postgresql://u:***@h/db?sslpassword=***",
        ),
        ("postgresql://u:hunter2secret?x@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:hunter2secret#x@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:hunter2%2Fsecret%40@h:5432/db", "postgresql://u:***@h:5432/db"),
        (
            "postgresql+psycopg://u:hunter2secret@h1:5432,h2:5433/db",
            "postgresql+psycopg://u:***@h1:5432,h2:5433/db",
        ),
    ],
)
def test_the_password_is_masked_wherever_libpq_reads_it(url: str, safe: str) -> None:
    settings = Settings(database_url=url)

    assert settings.safe_url == safe
    assert "hunter2" not in repr(settings) + str(settings)


def test_libpq_gets_the_password_the_url_gives_even_with_special_characters() -> None:
    settings = Settings(database_url="postgresql+psycopg://u:pa?s#s@h:5432/db?sslmode=require")

    assert conninfo_to_dict(settings.conninfo) == {
        "user": "u",
        "password": "pa?s#s",
        "host": "h",
        "port": "5432",
        "dbname": "db",
        "sslmode": "require",
    }


@pytest.mark.parametrize(
    "bad",
    [
        "postgresql://u:hunter2secret@127.0.0.1:notaport/db",
        "postgresql://u:hunter2/secret@host/db",
        "postgresql://u:hunter2@secret@host/db",
        "postgresql://u:hunter2%zzsecret@host/db",
        "postgresql://u:hunter2secret@host/db?no_such_option=1",
        "postgresql://u:hunter2secret@host:99999/db",
    ],
)
def test_a_url_libpq_would_misread_is_refused_at_once_without_the_password(bad: str) -> None:
    with pytest.raises(ConfigurationError, match="DATABASE_URL") as raised:
        Settings(database_url=bad)

    assert "hunter2" not in str(raised.value)
    assert "secret" not in str(raised.value)


@pytest.mark.parametrize(
    "bad",
    [
        "postgresql://u:hunter2/secret@host/db",
        "postgresql://u:hunter2@secret@host/db",
        "postgresql://u:hunter2/se?cret@host/db",
        "mysql://u:hunter2secret@h/db",
        "host=h password=hunter2secret",
        "hunter2secret",
    ],
)
def test_mask_password_hides_everything_it_cannot_parse(bad: str) -> None:
    masked = mask_password(bad)

    assert "hunter2" not in masked
    assert "secret" not in masked


def test_a_misspelt_keyword_argument_is_refused_with_its_name() -> None:
    with pytest.raises(ConfigurationError, match="databse_pool_max") as raised:
        Settings(database_url=URL, databse_pool_max=1)

    assert "did you mean database_pool_max" in str(raised.value)


def test_environment_variables_that_are_not_settings_are_ignored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", URL)
    monkeypatch.setenv("HOME", "/home/shop")
    monkeypatch.setenv("PATH", "/usr/bin")
    monkeypatch.setenv("DATABSE_POOL_MAX", "not a number")
    monkeypatch.setenv("DATABASE_URL_OLD", "not a url")

    settings = Settings()

    assert settings.database_pool_max == 20


def test_replicas_and_the_direct_url_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://shop@pooler:6432/shop")
    monkeypatch.setenv("DATABASE_DIRECT_URL", URL)
    monkeypatch.setenv("DATABASE_POOLER", "pgbouncer-transaction")
    monkeypatch.setenv(
        "DATABASE_REPLICA_URLS", " postgresql://shop@r1:5432/shop , postgresql://shop@r2/shop"
    )
    monkeypatch.setenv("MAX_REPLICA_LAG_MS", "250")
    settings = Settings()

    assert settings.replica_conninfos == [
        "postgresql://shop@r1:5432/shop",
        "postgresql://shop@r2/shop",
    ]
    assert settings.direct_conninfo == URL
    assert settings.behind_transaction_pooler
    assert settings.prepare_threshold is None
    assert settings.max_replica_lag_ms == 250
    for name in ("DATABASE_DIRECT_URL", "DATABASE_POOLER"):
        monkeypatch.delenv(name)
    plain = Settings(database_url=URL)
    assert (plain.direct_conninfo, plain.prepare_threshold) == (URL, 5)


def test_a_malformed_replica_url_is_named_by_position_and_hides_the_password() -> None:
    with pytest.raises(ConfigurationError, match="DATABASE_REPLICA_URLS replica 2") as raised:
        Settings(database_url=URL, database_replica_urls=f"{URL},mysql://u:hunter2secret@h/db")
    assert "hunter2secret" not in str(raised.value)


def test_an_unknown_pooler_is_refused_naming_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="DATABASE_POOLER"):
        Settings(database_url=URL, database_pooler="pgbouncer-session")
