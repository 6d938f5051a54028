"""The loader: CSV exports in a landing folder -> validated raw tables with lineage.

Public surface: ``ensure_raw_tables``, ``load_folder``, ``LoadReport`` / ``FileResult`` and the
errors. How a file is recognised, read, validated and written lives in the modules below.
"""

from .errors import LoadError, SpecError
from .load import load_folder
from .report import FileResult, LoadReport
from .schema import ensure_raw_tables

__all__ = ["FileResult", "LoadError", "LoadReport", "SpecError", "ensure_raw_tables", "load_folder"]
