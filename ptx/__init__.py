"""ptx: patient-experience metrics over SQL or CSV sources.

The public API; the dashboard and the ``ptx`` command use nothing else.
"""

from ptx.config import Config, load_config
from ptx.errors import ConfigError, PtxError, SchemaError, SourceError
from ptx.query import Filters
from ptx.sources import Source, open_source
from ptx.validate import ValidationReport, quarantined_rows, validation_report

__all__ = [
    "Config",
    "ConfigError",
    "Filters",
    "PtxError",
    "SchemaError",
    "Source",
    "SourceError",
    "ValidationReport",
    "load_config",
    "open_source",
    "quarantined_rows",
    "validation_report",
]
__version__ = "0.1.0"
