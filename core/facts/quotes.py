"""Quotations of a claim that a passage prints: exactly, nearly, or cut at either end (see docs/facts.md).

A quotation another outlet prints too is shared (it never refutes); a long one it does not print is missing,
unless it is the claim's whole statement, which is compared by its figures and names instead.
"""
from __future__ import annotations

from difflib import SequenceMatcher

from .extract import Facts, Quote
from .words import content_stems, tokenize

# A quotation counts as printed by the passage when this similar to one of its quotations
# (punctuation, case and apostrophes already normalised): one word changed in twelve still matches.
QUOTE_SIMILARITY = 0.9
# A quotation of fewer words is a term or scare quotes ("sonic attack"), not a statement another outlet must print.
DEMANDED_QUOTE_WORDS = 4
# A long quotation counts as printed when this share of its words appears as one run in the passage.
QUOTE_PRINTED_SHARE = 0.8
# A quotation holding this share of its sentence's content words is the claim's statement itself.
STATEMENT_QUOTE_SHARE = 0.8


def _printed_part(quote: list[str], passage: list[str]) -> str:
    """The run of the passage's words that prints most of a long quotation, as normalised, or "".

    Outlets cut a quotation's first or last words ("recently reported subtle and vague, but abnormal,
    sensations" / "subtle and vague, but abnormal, sensations"), or lose its closing mark.
    """
    if len(quote) < DEMANDED_QUOTE_WORDS or len(passage) < DEMANDED_QUOTE_WORDS:
        return ""
    match = SequenceMatcher(None, quote, passage, autojunk=False).find_longest_match(0, len(quote), 0, len(passage))
    return " ".join(passage[match.b:match.b + match.size]) if match.size >= QUOTE_PRINTED_SHARE * len(quote) else ""


def _is_the_statement(quote: Quote, claim: Facts) -> bool:
    """Whether the quotation is most of its sentence: the claim is the quoted statement, not a report of its wording.

    "“The only reason this transaction wasn’t executed was because two U.S. banks refused ...”" is restated by
    "two U.S. banks ... both refused, the report said": its figures and names are compared like any claim's, and
    another outlet need not print the words.
    """
    words = len(claim.sentence_words[quote.sentence]) if quote.sentence < len(claim.sentence_words) else 0
    return words > 0 and len(content_stems(tokenize(quote.text))) >= STATEMENT_QUOTE_SHARE * words


def compare_quotes(claim: Facts, passage: Facts) -> tuple[list[tuple[str, str]], list[str]]:
    """The claim's quotations the passage prints (each with the passage's wording) and those it must but does not."""
    agreements, missing = [], []
    for quote in claim.quotes:
        if f" {quote.normalised} " in f" {passage.normalised} ":
            agreements.append((quote.text, quote.text))
            continue
        similar = [q for q in passage.quotes
                   if SequenceMatcher(None, quote.normalised.split(), q.normalised.split()).ratio() >= QUOTE_SIMILARITY]
        printed = _printed_part(quote.normalised.split(), passage.normalised.split())
        if similar:
            agreements.append((quote.text, similar[0].text))
        elif printed:
            agreements.append((quote.text, printed))
        elif len(quote.normalised.split()) >= DEMANDED_QUOTE_WORDS and not _is_the_statement(quote, claim):
            missing.append(quote.text)
    return agreements, missing
