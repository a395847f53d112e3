"""Alembic migrations for modq's schema, shipped inside the package.

``pip install .`` users get them with the code, so ``modq db upgrade`` (and every start
of the web service or a worker) brings any older database to the current schema.
"""
