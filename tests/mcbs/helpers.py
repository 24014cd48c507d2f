"""Builders of inputs for the ESMO-MCBS tests."""

from __future__ import annotations

from decimal import Decimal

from bolero_evidence.mcbs import HazardRatio, Judgement, McbsInputs, Medians, OsFinding, QolFinding, ToxicityFinding


def yes(question: str = "test question", reason: str = "test") -> Judgement:
    return Judgement(question, True, reason, by="test")


def no(question: str = "test question", reason: str = "test") -> Judgement:
    return Judgement(question, False, reason, by="test")


def inputs(control: float | str, gain: float | str, ci_low: float | str, ci_high: float | str = 0.9, *, endpoint: str = "PFS",
           qol: QolFinding | None = None, toxicity: ToxicityFinding | None = None, os: OsFinding | None = None) -> McbsInputs:
    """Inputs with the experimental median = control + gain, added as printed decimals (not binary floats)."""
    experimental = float(Decimal(str(control)) + Decimal(str(gain)))
    point = float(ci_low) if float(ci_low) > 0.1 else 0.1
    return McbsInputs(endpoint, HazardRatio(point, float(ci_low), float(ci_high), source="test"),
                      Medians(experimental, float(control), source="test"), qol=qol, toxicity=toxicity, os=os, label="test")


def quiet_toxicity() -> ToxicityFinding:
    return ToxicityFinding(incremental=no(), less=no())


def qol(improved: bool, assessed: bool = True) -> QolFinding:
    return QolFinding(assessed=assessed, improved=yes() if improved else no())


def os_not_improved() -> OsFinding:
    return OsFinding(mature=False, significant_improvement=False)
