"""The outlets an analyst follows (issue 31): set on the Settings page; a story's blindspots are the followed
outlets (these, and the sites of the feeds) with no article in it (core.stories.view.blindspots)."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from ..errors import InputError
from ..review import visible
from .database import Database
from .tables import followed_outlets

MAX_NAME_CHARS = 200


class FollowedOutletStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    def list(self) -> list[str]:
        """The followed outlets' names, alphabetically (case aside)."""
        with self.database.read() as db:
            names = db.execute(select(followed_outlets.c.name)).scalars().all()
        return sorted(names, key=str.casefold)

    def add(self, name: str) -> str:
        """Follow the outlet ``name`` (as articles name their outlet, or a site such as example.org); returns it."""
        cleaned = " ".join(visible(name).split())
        if not cleaned:
            raise InputError("Name the outlet to follow.")
        if len(cleaned) > MAX_NAME_CHARS:
            raise InputError(f"An outlet's name has at most {MAX_NAME_CHARS} characters.")
        if cleaned.casefold() in {n.casefold() for n in self.list()}:
            raise InputError(f"You already follow {cleaned}.")
        try:
            with self.database.write() as db:
                db.execute(insert(followed_outlets).values(name=cleaned, added_at=datetime.now(UTC).isoformat(timespec="seconds")))
        except IntegrityError:
            raise InputError(f"You already follow {cleaned}.") from None
        return cleaned

    def remove(self, name: str) -> None:
        with self.database.write() as db:
            db.execute(delete(followed_outlets).where(followed_outlets.c.name == name))
