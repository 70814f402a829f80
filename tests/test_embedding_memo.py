"""The embedder remembers what it computed: an article's sentences, read by the engine, are not embedded again for
the library index, the claims or the stance step, and what it remembers is what the model gives, to the last bit."""
from __future__ import annotations

import numpy as np

from core.ml.embeddings import _Memo
from core.ml.loading import get_embedder

SENTENCES = [
    "The council approved the Westmark tram line on Tuesday by 31 votes to 14.",
    "Critics said the bill would be larger than hoped.",
    "Construction is due to start in March 2027 and the line should open in 2030, the transport office said "
    "after a meeting that lasted most of the afternoon and ended without questions from the press.",
    "Yes.",
]


def _model_runs(embedder, monkeypatch) -> list[int]:
    """How many texts each call of the model got, from now on."""
    runs: list[int] = []
    run = embedder._run

    def counted(texts, encodings=None):
        runs.append(len(texts))
        return run(texts, encodings)

    monkeypatch.setattr(embedder, "_run", counted)
    return runs


def test_an_embedding_does_not_depend_on_the_texts_beside_it():
    """What makes remembering exact: the same text gives the same bits alone, in any batch, beside any padding."""
    embedder = get_embedder()
    embedder.forget()
    together, together_states = embedder.encode_with_states(SENTENCES + ["word " * 200, "a b c"] * 20)
    for i, text in enumerate(SENTENCES):
        embedder.forget()
        alone, state = embedder.encode_with_states([text])
        assert np.array_equal(alone[0], together[i]) and np.array_equal(state[0], together_states[i]), text


def test_what_the_engine_read_is_not_embedded_again_and_comes_back_the_same(monkeypatch):
    embedder = get_embedder()
    embedder.forget()
    fresh, fresh_states = embedder.encode_with_states(SENTENCES)
    embedder.forget()
    embedder.encode_tokens(SENTENCES)  # the engine's reading
    runs = _model_runs(embedder, monkeypatch)
    vectors, states = embedder.encode_with_states(SENTENCES[::-1])
    assert np.array_equal(vectors, fresh[::-1]) and np.array_equal(states, fresh_states[::-1])
    # The library index clips a sentence to one line: the same word pieces, the same embedding.
    spread = SENTENCES[0].replace(" on ", "\n on  ")
    assert np.array_equal(embedder.encode([spread])[0], fresh[0])
    assert runs == []
    # A text never seen runs the model, alone: the others of its call come from the memo.
    embedder.encode(SENTENCES[:2] + ["A sentence the engine never read."])
    assert runs == [1]


def test_a_blank_text_keeps_its_empty_state_when_a_full_stop_is_remembered():
    """A blank text runs as "." (the model needs a piece) but has no middle-layer state of its own."""
    embedder = get_embedder()
    embedder.forget()
    stop_vector, stop_state = embedder.encode_with_states(["."])
    blank_vector, blank_state = embedder.encode_with_states(["  "])
    assert np.array_equal(blank_vector, stop_vector) and stop_state.any() and not blank_state.any()


def test_the_memo_forgets_the_least_recently_used_first():
    memo = _Memo(2)
    one, two, three = (np.full(3, n, np.float32) for n in (1, 2, 3))
    memo.put(b"one", one, one)
    memo.put(b"two", two, two)
    assert memo.get(b"one")[0] is one  # now the most recent
    memo.put(b"three", three, three)
    assert memo.get(b"two") is None and memo.get(b"one") is not None and memo.get(b"three") is not None
