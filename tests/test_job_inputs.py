"""Job inputs as JSON: each kind writes and reads itself, and the parameters of jobs stored today still load."""
from __future__ import annotations

import base64
import hashlib

import pytest

from core.jobs import inputs
from core.records import Article
from core.pipeline import ArticleInput, FileInput, PathInput, Provenance, StdinInput, TextInput, UrlInput
from testkit.factories import make_analysis

ARTICLE = Article(text="Body of the story.\n", url="https://news.example/a", title="A story", outlet="News")
# Parameters exactly as the queue has written them into the jobs table (before input kinds were classes).
STORED_PARAMS = [
    ({"kind": "url", "url": "https://News.example/a/"}, UrlInput("https://News.example/a/"),
     "https://News.example/a/", "url:https://news.example/a"),
    ({"kind": "text", "text": "\nFirst line\nsecond", "outlet": "Daily", "url": "https://daily.example/x"},
     TextInput("\nFirst line\nsecond", Provenance("Daily", "https://daily.example/x")),
     "pasted text: First line", "text:" + hashlib.sha256(b"First line\nsecond").hexdigest()),
    ({"kind": "text", "text": "  "}, TextInput("  ", Provenance()), "pasted text", "text:" + hashlib.sha256(b"").hexdigest()),
    ({"kind": "file", "name": "story.txt", "data": base64.b64encode(b"file body").decode("ascii")},
     FileInput("story.txt", b"file body", Provenance()), "file story.txt", "file:" + hashlib.sha256(b"file body").hexdigest()),
    ({"kind": "article", "article": ARTICLE.to_dict()}, ArticleInput(ARTICLE), "article A story",
     "article:" + hashlib.sha256(b"Body of the story.").hexdigest()),
]


@pytest.mark.parametrize("params, source, label, key", STORED_PARAMS)
def test_stored_parameters_load_and_are_written_back_unchanged(params, source, label, key):
    assert inputs.resolve(params, storage=None) == source
    assert inputs.label(params) == label and inputs.dedupe_key(params) == key
    assert inputs.from_params(params).to_params() == params
    assert inputs.to_params(source) == params


def test_a_rerun_reads_the_stored_article(tmp_path):
    from core.storage import Storage

    storage = Storage(f"sqlite:///{tmp_path / 'db.sqlite'}")
    analysis = make_analysis(id="earlier", url="https://news.example/earlier")
    storage.save(analysis)
    params = inputs.stored("earlier")
    assert params == {"kind": "stored", "analysis_id": "earlier"}
    assert inputs.resolve(params, storage) == ArticleInput(analysis.article)
    assert inputs.label(params) == "re-run of analysis earlier" and inputs.dedupe_key(params) == "stored:earlier"


def test_local_files_and_standard_input_travel_as_their_bytes(tmp_path):
    path = tmp_path / "local.html"
    path.write_bytes(b"<p>hi</p>")
    stated = Provenance(outlet="Local")
    assert inputs.to_params(PathInput(path, stated)) == {
        "kind": "file", "name": "local.html", "data": base64.b64encode(b"<p>hi</p>").decode("ascii"), "outlet": "Local"}
    assert inputs.to_params(StdinInput(b"piped")) == {
        "kind": "file", "name": "standard-input.txt", "data": base64.b64encode(b"piped").decode("ascii")}


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown job input kind 'telex'"):
        inputs.resolve({"kind": "telex"}, storage=None)
