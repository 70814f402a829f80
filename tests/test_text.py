import pytest

from core.text import segment_sentences, word_tokens

TEXT = (
    "Headline Without A Full Stop\n\n"
    "  Mr. Smith said the U.S. economy grew 3.5% in 2019.  \"Really?\" he asked. It did!\n"
    "A second paragraph\tstarts here\r\n"
    "   \n"
    "Last line"
)


def test_offsets_are_exact_and_stripped() -> None:
    segments = segment_sentences(TEXT)
    assert segments
    for s in segments:
        assert TEXT[s.start:s.end] == s.text
        assert s.text == s.text.strip() and s.text
    assert [s.start for s in segments] == sorted(s.start for s in segments)


def test_line_breaks_end_sentences_and_abbreviations_do_not() -> None:
    texts = [s.text for s in segment_sentences(TEXT)]
    assert texts[0] == "Headline Without A Full Stop"
    assert "Mr. Smith said the U.S. economy grew 3.5% in 2019." in texts
    assert "\"Really?\" he asked." in texts
    assert "A second paragraph\tstarts here" in texts
    assert texts[-1] == "Last line"
    assert not any("\n" in t for t in texts)


def test_empty_and_blank_text() -> None:
    assert segment_sentences("") == []
    assert segment_sentences(" \n\t\n ") == []


def test_word_tokens_offsets() -> None:
    text = "Don't panic, it's 42."
    tokens = word_tokens(text, offset=10)
    assert [t.text for t in tokens] == ["Don't", "panic", ",", "it's", "42", "."]
    for t in tokens:
        assert text[t.start - 10:t.end - 10] == t.text


def test_count_noun_agrees_with_the_count() -> None:
    from core.text import count_noun

    assert count_noun(1, "passage") == "1 passage"
    assert [count_noun(n, "passage") for n in (0, 2)] == ["0 passages", "2 passages"]
    assert count_noun(3, "analysis", "analyses") == "3 analyses"


@pytest.mark.parametrize("text, expected", [
    ("Sen. Warren and Gov. Newsom spoke. Lt. Col. Vindman testified.",
     ["Sen. Warren and Gov. Newsom spoke.", "Lt. Col. Vindman testified."]),
    ("The U.S. economy grew. Dr. Smith said so on Jan. 5, 2020. It was fine.",
     ["The U.S. economy grew.", "Dr. Smith said so on Jan. 5, 2020.", "It was fine."]),
    ("Im 15. Jahrhundert wurde die Stadt gegründet. Am 3. Oktober 1990 kam die Einheit.",
     ["Im 15. Jahrhundert wurde die Stadt gegründet.", "Am 3. Oktober 1990 kam die Einheit."]),
    ("President John F. Kennedy was shot in 1963. J. K. Rowling wrote it.",
     ["President John F. Kennedy was shot in 1963.", "J. K. Rowling wrote it."]),
    ('He said: "The plan failed. We lost $5 million." Critics disagreed.',
     ['He said: "The plan failed. We lost $5 million."', "Critics disagreed."]),
    ("“The plan failed. We lost $5 million,” she said. Ages ranged from 8 to 15. The oldest was 15.",
     ["“The plan failed. We lost $5 million,” she said.", "Ages ranged from 8 to 15.", "The oldest was 15."]),
    ('A stray " quote. Then a sentence. And another one.',
     ['A stray " quote.', "Then a sentence.", "And another one."]),
], ids=["titles", "abbreviations", "ordinals", "initials", "quotation", "curly-quotation", "stray-quote"])
def test_sentences_survive_abbreviations_initials_ordinals_and_quotes(text: str, expected: list[str]) -> None:
    segments = segment_sentences(text)
    assert [s.text for s in segments] == expected
    assert all(text[s.start:s.end] == s.text for s in segments)
