"""Stories across outlets (issue 31): one story read across its articles (``view``), one outlet across its stories
(``outlets``), its PDF (``pdf``), other outlets' coverage it does not hold yet (``coverage``), and their commands
(``cli``). Kept light: ``python -m core`` imports ``cli`` at start.

How articles form stories is core.story_clusters (the algorithm) and core.storage.stories (its state).
"""
