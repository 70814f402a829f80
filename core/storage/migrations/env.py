"""Alembic's environment: Crosscheck runs its migrations itself, on the connection core.storage.Database opens."""
from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("open the database with core.storage.Database, which runs the migrations in one transaction")
context.configure(connection=connection, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
