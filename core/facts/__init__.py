"""The facts layer: what a claim or passage asserts that can be checked, and how two texts compare on it.

Pure functions over text, no models: ``read_facts`` reads quantities (with
what they measure and the interval their wording allows), dates, actors and
quotations; ``compare_facts`` says which facts of a claim a passage confirms,
contradicts or leaves out.
"""
from .compare import FactComparison, FactMatch, compare_facts, stated_figures
from .dates import DateFact
from .extract import Actor, Facts, Quote, read_facts
from .quantities import Quantity

__all__ = ["Actor", "DateFact", "FactComparison", "FactMatch", "Facts", "Quantity", "Quote", "compare_facts",
           "read_facts", "stated_figures"]
