"""Settings: the environment, keyword overrides, and errors that name the variable."""

from __future__ import annotations

import pytest

from shopdb import ConfigurationError, Settings

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
    settings = Settings(database_url=URL, cursor_secret="cursor-key-value")

    for text in (repr(settings), str(settings), settings.safe_url, str(settings.model_dump())):
        assert "hunter2secret" not in text
        assert "cursor-key-value" not in text
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
