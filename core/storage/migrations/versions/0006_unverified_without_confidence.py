"""Unverified claims have no verdict confidence (issue 18): claims.verdict_confidence becomes nullable.

Revision ID: 0006
Revises: 0005

The flat claims rows of unverified claims lose their old confidence; the
stored documents keep theirs, and reading a document gives an unverified claim
no confidence whatever it says (core.models.Claim.from_dict at the time).
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite cannot change a column's nullability in place: batch mode copies the table.
    with op.batch_alter_table("claims") as batch:
        batch.alter_column("verdict_confidence", existing_type=sa.Float, nullable=True)
    op.execute("UPDATE claims SET verdict_confidence = NULL WHERE verdict = 'unverified'")


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")
