"""The exceptions ptx raises on purpose. Anything else escaping ptx is a bug."""

from __future__ import annotations


class PtxError(Exception):
    """Base class: a problem with the user's input, configuration or source that they can fix."""


class ConfigError(PtxError):
    """The configuration file or an option is wrong."""


class SourceError(PtxError):
    """A source cannot be opened or read."""


class SchemaError(PtxError):
    """A source lacks a table or column that the data model requires."""
