"""docs/reference.md lists every input model and every field of each, as the models say."""

from __future__ import annotations

import re

from shopdb.models.base import InputModel
from shopdb.reference_doc import input_models, render
from tests.docs.guides import DOCS

REFERENCE = DOCS / "reference.md"


def _documented() -> dict[str, set[str]]:
    """Each model heading of the reference -> the fields of its table."""
    found: dict[str, set[str]] = {}
    model: str | None = None
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        if heading := re.fullmatch(r"### (\w+)", line):
            model = heading[1]
            found[model] = set()
        elif model is not None and (row := re.match(r"\| `(\w+)` \|", line)):
            found[model].add(row[1])
    return found


def _every_input_model() -> list[type[InputModel]]:
    pending, models = list(InputModel.__subclasses__()), []
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model.__module__.startswith("shopdb."):
            models.append(model)
    return models


def test_every_input_model_and_each_of_its_fields_is_in_the_reference() -> None:
    documented = _documented()
    missing = [
        f"{model.__name__}.{field}" if model.__name__ in documented else model.__name__
        for model in _every_input_model()
        for field in (model.model_fields if model.__name__ in documented else [""])
        if model.__name__ not in documented or field not in documented[model.__name__]
    ]

    assert missing == [], f"not in docs/reference.md (run `make reference-doc`): {missing}"


def test_the_reference_is_what_make_reference_doc_writes() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == render(), "run `make reference-doc`"


def test_the_generator_finds_every_input_model() -> None:
    assert {m.__name__ for m in input_models()} == {m.__name__ for m in _every_input_model()}
