"""Statements compiled once per database dialect and run straight on the driver's cursor.

SQLAlchemy's ``Connection.execute`` spends about 0.1-0.2 ms of Python per statement
(cache key, execution context, result wrapping) even when the compiled form is cached;
on the submission path, where everything else is cheap, that was a fifth of a request.
A ``Prepared`` statement keeps SQLAlchemy's compiler and type conversions (the SQL text,
the driver's parameter style, each column type's bind processor: SQLite's datetime
strings, JSON) but does that work once, so a call is one cursor ``execute``.
``None`` is always bound as SQL NULL (a JSON column would otherwise store ``null``), and
column defaults are not filled in: the caller passes a value for every parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement


class _Compiled:
    """The SQL text for one dialect and how to turn a parameter dict into the driver's form."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.positions: tuple[str, ...] | None = (
            tuple(compiled.positiontup) if compiled.positiontup is not None else None)
        self.processors: dict[str, Callable[[Any], Any]] = {}
        # values fixed in the statement itself, such as ``.limit(1)``'s
        self.fixed = {name: bind.effective_value for name, bind in compiled.binds.items()
                      if not bind.required}
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors[name] = processor

    def parameters(self, values: Mapping[str, Any]) -> tuple | dict:
        processed = {name: self.processors[name](value) if value is not None and name in self.processors
                     else value for name, value in {**self.fixed, **values}.items()}
        if self.positions is None:
            return processed
        return tuple(processed[name] for name in self.positions)


class Bound:
    """A prepared statement with its parameters already in the driver's form."""

    def __init__(self, sql: str, parameters: tuple | dict) -> None:
        self.sql, self.parameters = sql, parameters

    def execute(self, conn: Connection) -> Any:
        """Run it in ``conn``'s transaction (a connection of the dialect it was bound for);
        returns the DBAPI cursor."""
        cursor = conn.connection.cursor()
        cursor.execute(self.sql, self.parameters)
        return cursor


class Prepared:
    """A SQLAlchemy statement whose bind parameters are all named ``bindparam``s."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._by_dialect: dict[tuple[str, str, str], _Compiled] = {}

    def bind(self, dialect: Dialect, values: Mapping[str, Any]) -> Bound:
        """Convert ``values`` (naming every bind parameter) for ``dialect``'s driver now, so
        a caller can do it before entering a critical section (a group commit's lock)."""
        key = (dialect.name, dialect.driver, dialect.paramstyle)
        compiled = self._by_dialect.get(key)
        if compiled is None:  # two threads may both compile the first time: harmless
            compiled = self._by_dialect[key] = _Compiled(self.statement, dialect)
        return Bound(compiled.sql, compiled.parameters(values))

    def execute(self, conn: Connection, values: Mapping[str, Any]) -> Any:
        """Run the statement in ``conn``'s transaction; returns the DBAPI cursor.

        ``values`` must name every bind parameter of the statement.
        """
        return self.bind(conn.dialect, values).execute(conn)
