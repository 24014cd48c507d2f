"""Cross-table checks: placeholder replaced below."""
from __future__ import annotations

def cross_table_problems(tables, data_dir):
    return []
