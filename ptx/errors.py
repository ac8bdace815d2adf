"""The exceptions ptx raises on purpose. Anything else escaping ptx is a bug."""

from __future__ import annotations

from datetime import datetime


class PtxError(Exception):
    """Base class: a problem with the user's input, configuration or source that they can fix."""


class ConfigError(PtxError):
    """The configuration file or an option is wrong."""


class SourceError(PtxError):
    """A source cannot be opened or read."""


class SchemaError(PtxError):
    """A source lacks a table or column that the data model requires."""


# What a driver's words say happened, checked in this order.
_WHAT_HAPPENED = (
    (
        ("timeout", "timed out", "canceling statement", "cancelled", "canceled"),
        "a query ran out of time",
    ),
    (
        ("refused", "could not connect", "connection to server", "no route", "name or service"),
        "the connection was refused",
    ),
    (
        ("closed", "terminat", "reset by peer", "broken pipe", "lost", "shutting down"),
        "the connection was lost",
    ),
    (("too many", "remaining connection slots"), "the server has no connection to spare"),
    (("lock", "being used by another process"), "the database file is locked by another program"),
)


class SourceUnavailable(SourceError):
    """The database could not be reached or did not answer in time: a fault that passes.

    Its message says what happened in words, never the statement, its parameters, the server's
    address or a path; ``at`` is when it happened. :meth:`from_error` makes one from a
    database driver's error.
    """

    def __init__(self, message: str, *, at: datetime | None = None) -> None:
        super().__init__(message)
        self.at = at or datetime.now().astimezone()

    @classmethod
    def from_error(cls, exc: BaseException) -> SourceUnavailable | None:
        """A :class:`SourceUnavailable` for a database error that a later attempt can get past
        (connection refused or lost, timeouts, no free connection), else None (anything else is
        a bug or a problem with the source itself, not a passing fault)."""
        import sqlalchemy.exc as sa_exc

        passing = (
            sa_exc.OperationalError,
            sa_exc.InterfaceError,
            sa_exc.TimeoutError,
            sa_exc.DisconnectionError,
        )
        invalidated = isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated
        if not (isinstance(exc, passing) or invalidated):
            return None
        words = str(getattr(exc, "orig", None) or exc).lower()
        what = next(
            (said for cues, said in _WHAT_HAPPENED if any(cue in words for cue in cues)),
            "it did not answer",
        )
        return cls(f"The database could not be reached: {what}.")
