"""aiosql's pyformat placeholders to the server's $n, by psycopg's own rules."""

from __future__ import annotations

from shopdb.core.placeholders import line_of, number_placeholders


def test_each_name_gets_one_number_in_order_of_first_use() -> None:
    numbered = number_placeholders("SELECT %(b)s, %(a)s, %(b)s")
    assert numbered.sql == "SELECT $1, $2, $1"
    assert numbered.names == ("b", "a")
    assert numbered.stray_percents == ()


def test_a_doubled_percent_is_one_literal_percent() -> None:
    numbered = number_placeholders("SELECT 'a%%b' LIKE %(p)s || '%%'")
    assert numbered.sql == "SELECT 'a%b' LIKE $1 || '%'"
    assert numbered.stray_percents == ()


def test_every_other_percent_is_stray() -> None:
    text = "SELECT 'a%b', 5 % 2, '%(x)d',\n'%"
    numbered = number_placeholders(text)
    assert numbered.stray_percents == (9, 16, 22, 31)
    assert [line_of(text, at) for at in numbered.stray_percents] == [1, 1, 1, 2]
