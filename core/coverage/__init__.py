"""Other coverage of a story: GDELT's news index and web search (finder.py, gdelt.py), and `python -m core coverage` (cli.py)."""
