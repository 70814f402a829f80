import argparse
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from core.cli import build_parser
from core.errors import InputError, ModelError
from core.ml import artifact
from core.ml.training import cli as training_cli


def _parser() -> argparse.ArgumentParser:
    """The parser as ``python -m core`` builds it: with the training commands the composition root adds."""
    return build_parser(training_cli.register)


def test_subcommands_are_registered() -> None:
    parser = _parser()
    for argv in (["train", "stance"], ["eval", "techniques", "--data", "x"], ["checkworthy", "-"], ["stance", "f.jsonl"],
                 ["train", "news-stance"], ["eval", "news-stance"]):
        args = parser.parse_args(argv)
        assert callable(args.func)
    with pytest.raises(SystemExit):
        parser.parse_args(["train", "nonsense"])


def test_checkworthy_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.txt"
    src.write_text("Unemployment fell from 10 percent to 4.7 percent in seven years.\n\nThank you all for coming.\n", encoding="utf-8")
    args = _parser().parse_args(["checkworthy", str(src)])
    assert args.func(args) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["text"] for r in rows] == ["Unemployment fell from 10 percent to 4.7 percent in seven years.", "Thank you all for coming."]
    assert rows[0]["score"] > 0.5 > rows[1]["score"]


def test_stance_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "pairs.jsonl"
    src.write_text(
        json.dumps({"claim": "Vaccines cause autism in children.", "evidence": "Vaccines do not cause autism in children."}) + "\n"
        + json.dumps({"claim": "Kavanaugh has had 6 FBI background checks.",
                      "evidence": "The FBI ran background checks on Brett Kavanaugh."}) + "\n",
        encoding="utf-8",
    )
    args = _parser().parse_args(["stance", str(src)])
    assert args.func(args) == 0
    row, uncovered = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert set(row["scores"]) == {"supports", "refutes", "neutral"}
    assert abs(sum(row["scores"].values()) - 1) < 1e-3
    assert row["label"] == max(row["scores"], key=row["scores"].get)
    assert row["scores"]["refutes"] > row["scores"]["supports"]  # the negation conflict swaps them
    assert isinstance(row["decisive"], bool) and row["missing"] == []
    # Whatever the model says, a passage without the claim's number never decides for it.
    assert uncovered["missing"] == ["6"] and uncovered["decisive"] is False


def test_stance_cli_rejects_bad_lines(tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text('{"claim": "x"}\n', encoding="utf-8")
    args = _parser().parse_args(["stance", str(src)])
    with pytest.raises(InputError, match="Line 1"):
        args.func(args)
    args = _parser().parse_args(["checkworthy", str(tmp_path / "missing.txt")])
    with pytest.raises(InputError):
        args.func(args)


def _encoder_trained_on_this_split(data: Path, out: Path, shift: int = 0) -> None:
    """The shipped cross-encoder, carded as if trained on ``data``'s split (torch is not in the test environment);
    ``shift`` misstates its number of training pairs."""
    from core.ml.cross_encoder import NAME
    from core.ml.training.stance_corpus import load_pairs

    pairs = load_pairs(data, lambda message: None)
    held = int(pairs.held_out().sum())
    out.mkdir(exist_ok=True)
    shutil.copy(artifact.ARTIFACT_DIR / f"{NAME}.npz", out)
    card = json.loads((artifact.ARTIFACT_DIR / f"{NAME}.json").read_text(encoding="utf-8"))
    card["training"].update(pairs=len(pairs.y) - held + shift, held_out_pairs=held)
    (out / f"{NAME}.json").write_text(json.dumps(card), encoding="utf-8")


def test_train_and_eval_stance_on_a_tiny_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from core.ml.stance import StanceModel
    from core.settings import get_settings

    monkeypatch.setenv("CROSSCHECK_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    data = tmp_path / "data" / "stance"
    data.mkdir(parents=True)
    rows = []
    for c in range(10):
        claim = f"Sea level rose by {c + 2} centimetres in region {c}."
        rows += [
            {"claim_id": str(c), "claim": claim, "evidence": f"Measurements show sea level in region {c} rose by {c + 2} centimetres.", "label": "supports"},
            {"claim_id": str(c), "claim": claim, "evidence": f"Sea level in region {c} did not rise at all.", "label": "refutes"},
            {"claim_id": str(c), "claim": claim, "evidence": f"Region {c} is known for its cuisine.", "label": "neutral"},
        ]
    (data / "climate_fever_train.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    nli = tmp_path / "data" / "nli"
    nli.mkdir()
    for name in ("vitaminc_real", "vitaminc_synthetic", "snli_devtest"):
        lines = [json.dumps({"id": f"{name}-{g}-{k}", "group": f"page {g}", "claim": row["claim"], "evidence": row["evidence"],
                             "label": row["label"]}) for g in range(5) for k, row in enumerate(rows[3 * g:3 * g + 3])]
        (nli / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "artifacts"
    args = _parser().parse_args(["train", "stance", "--data", str(tmp_path / "data"), "--out", str(out)])
    try:
        with pytest.raises(ModelError, match="missing"):  # stance combines the cross-encoder, trained first
            args.func(args)
        _encoder_trained_on_this_split(tmp_path / "data", out, shift=1)
        with pytest.raises(InputError, match="another split"):
            args.func(args)
        _encoder_trained_on_this_split(tmp_path / "data", out)
        assert args.func(args) == 0
        assert "climate_fever_macro_f1" in capsys.readouterr().out
        model = StanceModel(out)
        assert model.meta["metrics"]["climate_fever_macro_f1"] > 0.5
        assert set(model.meta["decisive"]) == {"supports", "refutes"}
        args = _parser().parse_args(["eval", "stance", "--data", str(tmp_path / "data")])
        monkeypatch.setattr(artifact, "ARTIFACT_DIR", out)  # eval reads the installed encoder, here the tiny one
        assert args.func(args) == 0
        out_text = capsys.readouterr().out
        assert "nli_pooled_supports_precision" in out_text and "climate_fever_ece_top_label" in out_text
    finally:
        get_settings.cache_clear()


def test_missing_data_folder_is_an_input_error(tmp_path: Path) -> None:
    args = _parser().parse_args(["eval", "stance", "--data", str(tmp_path / "nope")])
    with pytest.raises(InputError):
        args.func(args)


def _tiny_ptc(root: Path) -> None:
    """Sixteen short articles: "disgraceful"/"shameful" are Loaded Language, "traitors" is Name Calling."""
    (root / "ptc" / "articles").mkdir(parents=True)
    (root / "ptc" / "labels").mkdir(parents=True)
    for n in range(16):
        loaded = "disgraceful" if n % 2 else "shameful"
        sentences = [f"The council met on Monday {n} to discuss the budget for roads."]
        labels = []
        if n % 4:
            sentences.append(f"Critics called the {loaded} plan a betrayal of the town.")
            labels.append(("Loaded_Language", loaded))
        else:
            sentences.append("Critics said the plan would need another review.")
        if n % 3:
            sentences.append(f"These traitors in office sold us out, said resident {n}.")
            labels.append(("Name_Calling,Labeling", "traitors"))
        sentences.append("The meeting ended at nine and a vote is planned next month.")
        text = " ".join(sentences)
        art_id = str(1000 + n)
        (root / "ptc" / "articles" / f"article{art_id}.txt").write_text(text, encoding="utf-8")
        (root / "ptc" / "labels" / f"article{art_id}.task2-TC.labels").write_text(
            "".join(f"{art_id}\t{tech}\t{text.index(word)}\t{text.index(word) + len(word)}\n" for tech, word in labels), encoding="utf-8")


def _tiny_news(root: Path) -> None:
    """Six ordinary reports: the news articles that training reads as negatives for every technique."""
    (root / "news").mkdir(parents=True)
    rows = [{"url": f"https://en.wikinews.org/wiki/Report_{n}", "date": "2020-01-0{n}", "title": f"Council report {n}",
             "text": f"The council met on Tuesday {n} to discuss the budget for roads. The mayor said a vote is planned."}
            for n in range(1, 7)]
    (root / "news" / "wikinews_en.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


UNSEEN_TINY_ARTICLE = ("The council met on Monday 40 to discuss the budget for roads. Critics called the disgraceful plan "
                       "a betrayal of the town. These traitors in office sold us out, said resident 40.")


def test_train_techniques_on_a_tiny_corpus_tags_the_taught_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from core.ml.training.techniques import layers
    from core.ml.loading import get_embedder
    from core.ml.techniques import TechniqueModel, analyse_text
    from core.settings import get_settings

    monkeypatch.setenv("CROSSCHECK_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    _tiny_ptc(tmp_path / "data")
    _tiny_news(tmp_path / "data")
    weights = {}
    try:
        for threads in (1, 2):
            monkeypatch.setattr(layers, "FIT_THREADS", threads)
            out = tmp_path / f"artifacts-{threads}"
            args = _parser().parse_args(["train", "techniques", "--data", str(tmp_path / "data"), "--out", str(out)])
            assert args.func(args) == 0
            printed = capsys.readouterr().out
            assert "span_f1" in printed and "article_micro_f1_refolded_sd" in printed
            weights[threads] = np.load(out / "techniques.npz")["tok_w"]
        # The per-technique fits run side by side; the weights must not depend on it.
        assert np.array_equal(weights[1], weights[2])
        model = TechniqueModel(tmp_path / "artifacts-2")
        found = {t.name: t for t in analyse_text(model, UNSEEN_TINY_ARTICLE, get_embedder())}
        assert "disgraceful" in [s.text for s in found["Loaded_Language"].spans]
        assert "traitors" in [s.text for s in found["Name_Calling,Labeling"].spans]
    finally:
        get_settings.cache_clear()
