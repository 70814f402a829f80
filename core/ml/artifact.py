"""Saving and loading model artifacts as npz (arrays) + JSON (metadata), never pickle."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError

log = logging.getLogger(__name__)

ARTIFACT_DIR = Path(__file__).parent / "artifacts"


def today() -> str:
    """The training date written into a model card (UTC, ISO)."""
    return datetime.now(timezone.utc).date().isoformat()


def save(directory: Path, name: str, arrays: dict[str, np.ndarray], meta: dict[str, Any], *, half: bool = True) -> None:
    """``half``: store float arrays as float16 (False: as given, for a few weights read against a threshold)."""
    directory.mkdir(parents=True, exist_ok=True)
    # float16 halves the shipped size; linear weights lose nothing that matters at that precision.
    packed = {k: (v.astype(np.float16) if half and v.dtype in (np.float64, np.float32) else v) for k, v in arrays.items()}
    np.savez_compressed(directory / f"{name}.npz", **packed)
    (directory / f"{name}.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log.info("saved %s to %s", name, directory)


def load(directory: Path, name: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    npz, meta_path = directory / f"{name}.npz", directory / f"{name}.json"
    if not npz.is_file() or not meta_path.is_file():
        raise ModelError(f"Model artifact {name!r} is missing from {directory}.")
    try:
        with np.load(npz, allow_pickle=False) as data:
            arrays = {k: (data[k].astype(np.float32) if data[k].dtype == np.float16 else data[k]) for k in data.files}
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"Model artifact {name!r} in {directory} cannot be read: {exc}") from exc
    return arrays, meta
