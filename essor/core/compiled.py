"""ORM queries compiled once per process instead of on every request.

Turning a queryset into SQL costs Django 0.3–1 ms of Python, often more than running it. A
query that every page runs with the same text and parameters (the layout's reads) is written
with the ORM, readable and portable, and compiled once per database vendor; each request only
executes the SQL. It returns the database's raw values: keep such queries to text, number and
boolean columns, whose raw values need no converter.
"""

from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet


class CompiledQuery:
    """A queryset with no per-request parameter, compiled on its first run."""

    def __init__(self, build: Callable[[], QuerySet]) -> None:
        # A function, not a queryset: models are not ready when the modules holding these load.
        self._build = build
        self._compiled: dict[str, tuple[str, tuple]] = {}

    def rows(self) -> list[tuple]:
        connection = connections[DEFAULT_DB_ALIAS]
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            compiled = self._compiled[connection.vendor] = self._build().query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(*compiled)
            return cursor.fetchall()
