"""A bundled example article, so a new analyst can see what Crosscheck does before bringing their own.

The text is written for this project (no outlet's copyright; released with the
code): an ordinary local news story with check-worthy figures and a few
persuasion techniques (loaded language, a false dilemma, a bandwagon appeal).
"""
from __future__ import annotations

from importlib import resources

EXAMPLE_OUTLET = "Crosscheck example"


def example_article_text() -> str:
    """The example as it would be pasted: the first line is the title."""
    return resources.files(__package__).joinpath("example_article.txt").read_text(encoding="utf-8")
