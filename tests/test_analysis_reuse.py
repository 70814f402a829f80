"""Reusing the engine's embeddings (the index at save, the claims, the stance step) changes no stored analysis."""
from __future__ import annotations

import json

from sqlalchemy import select

from core.ml.embeddings import _Memo
from core.ml.loading import get_embedder
from core.pipeline import ArticleInput, analyze
from core.settings import get_settings
from core.sources.ranking import claim_embedding
from core.storage import Storage
from core.storage.tables import analyses, library_sentences
from tests.test_library_find import NEW, TRAM, _article


def _stored(storage: Storage) -> tuple[list, list]:
    """Every stored analysis's document (without its creation time) and every index row, in a fixed order."""
    with storage.database.read() as db:
        documents = [json.loads(d) for d in db.execute(select(analyses.c.document).order_by(analyses.c.id)).scalars()]
        index = db.execute(select(library_sentences.c.analysis_id, library_sentences.c.position, library_sentences.c.text,
                                  library_sentences.c.embedding).order_by(library_sentences.c.id)).all()
    for document in documents:
        document.pop("created_at")
    return documents, [tuple(row) for row in index]


def _library_then_new(path) -> Storage:
    """The tram stories analysed and stored, then a new article checked against them with the library source."""
    storage = Storage(path)
    settings = get_settings()
    for number, (outlet, title, text) in enumerate(TRAM):
        analyze(ArticleInput(_article(outlet, title, text, number)), engine="local", sources=(), settings=settings,
                storage=storage, job_id=f"tram{number}")
    analyze(ArticleInput(_article(*NEW, 99)), engine="local", sources=("library",), settings=settings, storage=storage,
            job_id="new")
    return storage


def test_analyses_and_their_index_are_the_same_with_every_embedding_computed_afresh(tmp_path, monkeypatch):
    get_embedder().forget()
    claim_embedding.cache_clear()
    reused = _stored(_library_then_new(tmp_path / "reused.db"))
    # As before the memo: the model computes every embedding it is asked for.
    monkeypatch.setattr(_Memo, "get", lambda self, key: None)
    get_embedder().forget()
    claim_embedding.cache_clear()
    afresh = _stored(_library_then_new(tmp_path / "afresh.db"))
    assert reused == afresh
    documents, index = reused
    assert len(documents) == 5 and len(index) > 20
    assert any(claim["evidence"] for claim in documents[0]["claims"]), "the new article found library evidence"
