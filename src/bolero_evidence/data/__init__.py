"""Load, validate and trace the transcribed tables of ``data/``."""

from .discrepancies import discrepancy_table, find_discrepancies
from .errors import DataValidationError, Problem
from .loader import EVERY_TABLE, default_data_dir, load_tables, read_tables
from .provenance import check_provenance, seeds_dir

__all__ = ["DataValidationError", "Problem", "check_provenance", "default_data_dir", "discrepancy_table",
           "find_discrepancies", "load_tables", "read_tables", "EVERY_TABLE", "seeds_dir"]
