"""Recompute, lock and report the derived figures of the BOLERO-2 trial.

Subpackages
-----------
data
    Load the transcribed tables of ``data/``, validate them and trace every
    row back to the sentence of the seed document it was read from.
stats
    The statistical methods behind every derived figure: intervals for
    proportions, absolute effects from published time-to-event aggregates and
    the group-sequential design.
build
    Execute the analysis notebooks and render the evidence summary.
"""

__version__ = "0.1.0"
