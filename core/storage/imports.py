"""Reading analyses back: a JSON export (``python -m core import``) checked, upgraded and stored whole.

An imported file is untrusted. Its size is checked before it is read, it must
be UTF-8 JSON (a document, an array, or JSON Lines as ``python -m core analyze
--json`` prints for several sources), every document must pass
:func:`core.document_schema.validate_document` (types, ranges, offsets, the
limits of an analysis), and ``crosscheck.analysis/1`` documents are upgraded
(core.documents). Imported analyses keep their ids, so links and exports stay
valid; the file is stored in one transaction, all of it or nothing.
"""
from __future__ import annotations

import json
import logging
import math
import stat
import sys
import uuid
from pathlib import Path
from typing import Any

from ..document_schema import validate_document
from ..documents import SCHEMA_V1, Assess
from ..errors import ImportFileError, NotFoundError, StorageError
from ..records import SCHEMA, Analysis
from ..settings import Settings, get_settings
from .analyses import Storage

logger = logging.getLogger(__name__)


def read_import_file(path: Path, limit: int) -> str:
    """The file's text, its size checked before it is read (standard input: at most one byte past the limit)."""
    too_large = ImportFileError(f"{path} is larger than the {limit:,}-byte import limit.",
                                hint="Split the export into smaller files, or raise CROSSCHECK_MAX_IMPORT_BYTES.")
    try:
        if str(path) == "-":
            data = sys.stdin.buffer.read(limit + 1) if sys.stdin is not None else b""
        else:
            status = path.stat()
            if not stat.S_ISREG(status.st_mode):  # a FIFO or a device would block the import, or never end
                raise ImportFileError(f"{path} is not a regular file.",
                                      hint="Give an exported .json or .jsonl file, or - to read standard input.")
            if status.st_size > limit:
                raise too_large
            with path.open("rb") as handle:
                data = handle.read(limit + 1)
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror}.", hint="Try another format, or check the file.") from None
    if len(data) > limit:
        raise too_large
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path} is not UTF-8 text (byte {exc.start:,} is not valid).") from None


def _finite(number: str) -> float:
    value = float(number)
    if not math.isfinite(value):
        raise ValueError(f"the number {number[:20]} is too large")
    return value


def _no_constants(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _parse(text: str) -> Any:
    return json.loads(text, parse_float=_finite, parse_constant=_no_constants)


def read_export(text: str, settings: Settings | None = None, assess: Assess | None = None) -> list[Analysis]:
    """Analyses from a document, an array of documents, or JSON Lines, each validated as untrusted input;
    crosscheck.analysis/1 documents are upgraded with ``assess`` (core.documents), refused without it.

    Every document must pass :func:`core.document_schema.validate_document` (types,
    ranges, offsets, the limits of an analysis), or none is returned.
    """
    settings = settings or get_settings()
    hint = f"Import a {SCHEMA} (or {SCHEMA_V1}) document exported by Crosscheck."
    try:
        try:
            data = _parse(text)
            documents = data if isinstance(data, list) else [data]
        except json.JSONDecodeError as first_error:
            try:
                documents = [_parse(line) for line in text.splitlines() if line.strip()]
            except json.JSONDecodeError:
                raise ImportFileError(f"The file is not JSON: {first_error.msg} at line {first_error.lineno}.",
                                      hint=hint) from None
    except RecursionError:
        raise ImportFileError("The file nests JSON too deeply to be an analysis.", hint=hint) from None
    except ValueError as exc:  # a number out of range, NaN or Infinity
        raise ImportFileError(f"The file is not valid JSON: {exc}.", hint=hint) from None
    analyses = []
    for number, document in enumerate(documents, start=1):
        if not isinstance(document, dict):
            raise ImportFileError(f"Item {number} of the file is not a {SCHEMA} document.", hint=hint)
        if "error" in document and "schema" not in document:
            raise ImportFileError(f"Item {number} records a failed analysis "
                                  f"({str(document.get('source', 'unknown source'))[:200]}), not a result.", hint=hint)
        try:
            analyses.append(validate_document(document, settings, assess))
        except ValueError as exc:
            raise ImportFileError(f"Item {number} of the file is not a valid {SCHEMA} document: {exc}.", hint=hint) from None
        if document.get("review"):
            logger.warning("the analysts' review in item %d (analysis %s) is not imported: an import stores the "
                           "machine's analysis; reviews stay in the database they were made in", number, analyses[-1].id)
    if not analyses:
        raise ImportFileError("The file holds no analyses.", hint=hint)
    return analyses


def store_imported(storage: Storage, analyses: list[Analysis], *, new_ids: bool) -> list[Analysis]:
    """Store imported analyses in one transaction, under their ids or (``new_ids``) fresh ones; the analyses as stored.

    An id already stored, or given twice, imports nothing.
    """
    if new_ids:
        analyses = [a.with_id(uuid.uuid4().hex[:12]) for a in analyses]
    else:
        ids = [a.id for a in analyses]
        if len(set(ids)) != len(ids):
            raise ImportFileError("The file holds the same analysis id twice.", hint="Import it with --new-ids.")
        taken = []
        for analysis_id in ids:
            try:
                storage.get(analysis_id)
                taken.append(analysis_id)
            except NotFoundError:
                pass
        if taken:
            raise StorageError(f"Already stored: {', '.join(taken)}. Nothing was imported.",
                               hint="Import with --new-ids to keep both copies.")
    storage.save_all(analyses)  # one transaction: the whole file or nothing
    return analyses
