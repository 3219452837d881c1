"""The optional parts of shopdb and the packages each needs: one check and one message.

``pip install shopdb`` gives the library (Database, the repositories, the models,
migrations). The command line, the seeds, the demo and ``shopdb check`` need the ``cli``
extra (``pip install 'shopdb[cli]'``); each of those modules calls ``require`` before it
imports any of the extra's packages, so that a missing one ends in a sentence naming the
extra to install, not in a bare ModuleNotFoundError from deep inside the import.
"""

from __future__ import annotations

from importlib.util import find_spec

# extra -> {module imported: distribution pip installs}
EXTRAS: dict[str, dict[str, str]] = {
    "cli": {"click": "click", "pglast": "pglast", "argon2": "argon2-cffi", "rich": "rich"},
    "webhooks": {"httpx": "httpx"},
    "cache": {"redis": "redis"},
}


class MissingExtra(ImportError):
    """A part of shopdb was imported without the extra that brings its packages."""


def missing(extra: str, *modules: str) -> list[str]:
    """The distributions of ``extra`` (only those of ``modules``, when given) that are not
    installed, in the extra's order."""
    wanted = EXTRAS[extra]
    unknown = set(modules) - set(wanted)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} not in the {extra} extra")
    # find_spec looks the module up without importing it (no cost of rich or pglast here).
    return [
        distribution
        for module, distribution in wanted.items()
        if (not modules or module in modules) and find_spec(module) is None
    ]


def require(needed_by: str, *modules: str, extra: str = "cli") -> None:
    """Raise MissingExtra when a module of ``extra`` (those of ``modules``, or all) that
    ``needed_by`` imports is not installed; the message says what to install."""
    absent = missing(extra, *modules)
    if absent:
        raise MissingExtra(
            f"{needed_by} needs the {extra} extra: pip install 'shopdb[{extra}]' "
            f"(not installed: {', '.join(absent)})",
            name=next(module for module, dist in EXTRAS[extra].items() if dist == absent[0]),
        )
