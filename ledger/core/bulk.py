"""Many rows in one short statement: on PostgreSQL, the rows travel as one JSON parameter.

A multi-row INSERT compiled for each batch's size costs more Python (SQLAlchemy's compiler, the
driver's placeholder parsing of a statement with thousands of parameters) than the database
spends on the rows. ``INSERT ... SELECT ... FROM json_populate_recordset(NULL::<table>, :rows)``
has one text per table and column set, so it is compiled, parsed and prepared once; the database
reads each value as its column's type. SQLite gets the driver's executemany instead.
"""

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection

JSON_ROWS_DIALECT = "postgresql"
# Distinct (table, columns, conflict, returning) statements kept compiled; there are a handful.
STATEMENT_CACHE_SIZE = 64


def json_param(value: Any) -> str | None:
    """``value`` as the JSON text a json parameter carries (None stays SQL NULL).

    orjson writes datetimes as ``isoformat`` does and is ten times faster than ``json`` on the
    rows of a batch; anything it cannot write (what ``json`` could not either) is a TypeError.
    """
    if value is None:
        return None
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def each_value(dialect_name: str, values: Sequence[Any]) -> sa.TableValuedAlias:
    """``values`` as a one-column table (column ``value``), from one JSON parameter.

    Look rows up one value at a time with a correlated subquery over it: the database then
    probes its index once per value whatever its statistics say. An ``IN`` list of a hundred
    values, by contrast, is costed from the column's statistics, and on a table grown since
    its last ANALYZE the planner scans instead of probing.
    """
    name = "json_array_elements_text" if dialect_name == JSON_ROWS_DIALECT else "json_each"
    rows = getattr(sa.func, name)(sa.literal(list(values), sa.JSON))
    return rows.table_valued(sa.column("value", sa.Text)).alias()


def _sql_defaults(table: sa.Table, given: tuple[str, ...], dialect) -> dict[str, str]:
    """The columns the rows leave out whose default SQLAlchemy renders as SQL (the outbox's
    transaction id), compiled; a left-out column with a Python default is a caller's bug."""
    found = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None:
            continue
        if not isinstance(default, sa.ColumnDefault) or not default.is_clause_element:
            raise ValueError(f"{table.name}.{column.name} has a Python default: give its value")
        found[column.name] = str(default.arg.compile(dialect=dialect))
    return found


@lru_cache(maxsize=STATEMENT_CACHE_SIZE)
def _insert_text(
    table: sa.Table,
    columns: tuple[str, ...],
    conflict: tuple[str, ...] | None,
    returning: str | None,
    dialect,
) -> sa.TextClause:
    defaults = _sql_defaults(table, columns, dialect)
    names = ", ".join(f'"{c}"' for c in (*columns, *defaults))
    values = ", ".join([*(f'"{c}"' for c in columns), *defaults.values()])
    sql = (
        f"INSERT INTO {table.name} ({names}) SELECT {values} "
        f'FROM json_populate_recordset(NULL::"{table.name}", CAST(:rows AS json))'
    )
    if conflict is not None:
        sql += f" ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
    if returning is not None:
        sql += f' RETURNING "{returning}"'
    return sa.text(sql)


def insert_rows(
    connection: Connection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    skip_conflicts_on: tuple[str, ...] | None = None,
    returning: str | None = None,
) -> list[Any] | None:
    """Insert ``rows`` (all with the same keys) in one statement; with ``returning``, the list
    of that column of the rows inserted (a row skipped on a conflict returns nothing)."""
    if not rows:
        return [] if returning else None
    columns = tuple(rows[0])
    if connection.dialect.name == JSON_ROWS_DIALECT:
        dialect = connection.dialect
        statement = _insert_text(table, columns, skip_conflicts_on, returning, dialect)
        result = connection.execute(statement, {"rows": json_param(list(rows))})
        return list(result.scalars()) if returning else None
    return _insert_by_executemany(connection, table, rows, skip_conflicts_on, returning)


def _insert_by_executemany(connection, table, rows, conflict, returning):
    statement: Any = sa.insert(table)
    if conflict is not None:
        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=conflict)
    if returning is None:
        connection.execute(statement, list(rows))
        return None
    statement = statement.returning(table.c[returning])
    return list(connection.execute(statement, list(rows)).scalars())
