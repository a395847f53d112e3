"""Alembic revision scripts (alembic skips this file when it reads the directory)."""
