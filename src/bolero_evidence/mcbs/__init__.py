"""ESMO-MCBS v1.1 scorecards computed from the data, criterion by criterion.

- :mod:`.rules`: the forms as data (``forms_v1_1.csv``), read and checked;
- :mod:`.inputs`: typed inputs (hazard ratio, medians, QoL, toxicity and OS
  findings, judgements with their reasons) and the input errors;
- :mod:`.engine`: :func:`score`, which evaluates a form and returns a
  :class:`Scorecard`;
- :mod:`.bolero2`: BOLERO-2's inputs and scorecards by data cut and assessment.
"""

from .bolero2 import CUTS, ESMO_ANALYSIS, Bolero2Case, Bolero2Score, bolero2_inputs, bolero2_scorecards
from .engine import AdjustmentStep, ConditionCheck, PreliminaryGrade, RuleCheck, Scorecard, score
from .inputs import (
    Figure,
    HazardRatio,
    Judgement,
    McbsInputError,
    McbsInputs,
    Medians,
    MissingInputError,
    NotSignificantError,
    OsFinding,
    OutOfRangeError,
    QolFinding,
    ToxicityFinding,
    UnknownFormError,
)
from .rules import SOURCES, RuleTableError, form_rules, load_rules

__all__ = [
    "AdjustmentStep", "Bolero2Case", "Bolero2Score", "CUTS", "ConditionCheck", "ESMO_ANALYSIS", "Figure", "HazardRatio",
    "Judgement", "McbsInputError", "McbsInputs", "Medians", "MissingInputError", "NotSignificantError", "OsFinding",
    "OutOfRangeError", "PreliminaryGrade", "QolFinding", "RuleCheck", "RuleTableError", "SOURCES", "Scorecard",
    "ToxicityFinding", "UnknownFormError", "bolero2_inputs", "bolero2_scorecards", "form_rules", "load_rules", "score",
]
