"""Constraint messages and domain errors, collected from the repositories' class data."""

from __future__ import annotations

from collections.abc import Iterable

from shopdb.core.errors import DomainError, ProgrammingError, use_constraint_rules
from shopdb.core.repository import Repository


def install_constraint_rules(classes: Iterable[type[Repository]]) -> None:
    """Gather every repository's ``constraint_messages`` and ``constraint_errors`` and hand
    them to the error translation at once (no import-order effects). A constraint named by two
    repositories is refused: its message would depend on which one was imported last."""
    messages: dict[str, str] = {}
    errors: dict[str, type[DomainError]] = {}
    owners: dict[str, str] = {}
    for cls in classes:
        for name in sorted(set(cls.constraint_messages) | set(cls.constraint_errors)):
            if name in owners and owners[name] != cls.__name__:
                raise ProgrammingError(
                    f"constraint {name} is declared by both {owners[name]} and {cls.__name__}"
                )
            owners[name] = cls.__name__
            if name in cls.constraint_messages:
                messages[name] = cls.constraint_messages[name]
            if name in cls.constraint_errors:
                errors[name] = cls.constraint_errors[name]
    use_constraint_rules(messages, errors)
