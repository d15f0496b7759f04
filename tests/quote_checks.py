"""Finding an extracted quote by a fragment of its content, shared by the quote and speaker tests."""

from storyline.model import Quote


def quote_with(quotes: list[Quote], fragment: str) -> Quote:
    """The first quote whose content holds ``fragment``; fails naming the contents found otherwise."""
    found = [q for q in quotes if fragment in q.content.text]
    assert found, f"no quote containing {fragment!r} in {[q.content.text for q in quotes]}"
    return found[0]
