"""The guides as text: docs/*.md and README.md, their links and their ```sh blocks."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
INDEX = DOCS / "index.md"

_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^(\s*)```(\S*)\s*$")


def guides() -> list[Path]:
    """Every Markdown file a reader is shown: README.md and docs/*.md, in name order."""
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def relative_links(path: Path) -> list[str]:
    """The targets of the Markdown links of ``path`` that point into the repository (no
    scheme, no bare anchor), without their #anchor."""
    targets = []
    for target in _LINK.findall(path.read_text(encoding="utf-8")):
        if "://" in target or target.startswith(("#", "mailto:")):
            continue
        targets.append(target.split("#", 1)[0])
    return targets


def code_blocks(path: Path, language: str) -> list[tuple[int, list[str]]]:
    """The fenced blocks of ``language`` in ``path``: (line number of the fence, lines)."""
    blocks: list[tuple[int, list[str]]] = []
    open_language: str | None = None  # None: outside any block
    start, lines = 0, list[str]()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        fence = _FENCE.match(line)
        if open_language is None:
            if fence:
                open_language, start, lines = fence[2], number, []
        elif fence and not fence[2]:
            if open_language == language:
                blocks.append((start, lines))
            open_language = None
        else:
            lines.append(line)
    return blocks
