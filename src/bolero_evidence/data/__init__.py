"""Load, validate and trace the transcribed tables of ``data/``."""

from .discrepancies import discrepancy_table, find_discrepancies
from .discrepancy_register import discrepancy_register, register_versions
from .errors import DataValidationError, Problem
from .loader import EVERY_TABLE, default_data_dir, load_tables, read_tables
from .provenance import check_provenance, seeds_dir

__all__ = [
           "EVERY_TABLE",
           "DataValidationError",
           "Problem",
           "check_provenance",
           "default_data_dir",
           "discrepancy_register",
           "discrepancy_table",
           "find_discrepancies",
           "load_tables",
           "read_tables",
           "register_versions",
           "seeds_dir",
]
