import argparse
import json
from pathlib import Path

import pytest

from core.errors import InputError
from core.ml import cli


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="core")
    cli.register(parser.add_subparsers(dest="command", required=True))
    return parser


def test_subcommands_are_registered() -> None:
    parser = _parser()
    for argv in (["train", "stance"], ["eval", "techniques", "--data", "x"], ["checkworthy", "-"], ["stance", "f.jsonl"]):
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
        json.dumps({"claim": "Vaccines cause autism in children.", "evidence": "Vaccines do not cause autism in children."}) + "\n",
        encoding="utf-8",
    )
    args = _parser().parse_args(["stance", str(src)])
    assert args.func(args) == 0
    row = json.loads(capsys.readouterr().out)
    assert set(row["scores"]) == {"supports", "refutes", "neutral"}
    assert abs(sum(row["scores"].values()) - 1) < 1e-3
    assert row["label"] == max(row["scores"], key=row["scores"].get)
    assert row["scores"]["refutes"] > row["scores"]["supports"]


def test_stance_cli_rejects_bad_lines(tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text('{"claim": "x"}\n', encoding="utf-8")
    args = _parser().parse_args(["stance", str(src)])
    with pytest.raises(InputError, match="Line 1"):
        args.func(args)
    args = _parser().parse_args(["checkworthy", str(tmp_path / "missing.txt")])
    with pytest.raises(InputError):
        args.func(args)
