"""docs/index.md links every guide, and every link between the guides leads somewhere."""

from __future__ import annotations

from tests.docs.guides import DOCS, INDEX, guides, relative_links


def test_the_index_links_every_guide_in_docs() -> None:
    linked = {(INDEX.parent / target).resolve() for target in relative_links(INDEX)}
    unlinked = [p.name for p in sorted(DOCS.glob("*.md")) if p != INDEX and p not in linked]

    assert unlinked == [], f"add these guides to docs/index.md: {unlinked}"


def test_every_link_of_the_guides_points_at_a_file_that_exists() -> None:
    broken = [
        f"{path.relative_to(DOCS.parent)}: {target}"
        for path in guides()
        for target in relative_links(path)
        if target and not (path.parent / target).exists()
    ]

    assert broken == []
