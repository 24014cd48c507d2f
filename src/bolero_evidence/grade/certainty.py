"""GRADE certainty of evidence for one outcome of one randomised trial.

Evidence from randomised trials starts at high certainty and is rated down
one level for each *serious* and two for each *very serious* concern in five
domains (risk of bias, inconsistency, indirectness, imprecision, publication
bias). The judgements are data (``certainty_bolero2.csv``); only
imprecision can be computed, from the 95% interval and the optimal
information size (OIS), and the CSV says ``computed`` where it should be.

References
----------
.. [1] Guyatt GH, Oxman AD, Kunz R, et al. GRADE guidelines 6. Rating the
   quality of evidence--imprecision. J Clin Epidemiol. 2011;64(12):1283-1293.
   https://doi.org/10.1016/j.jclinepi.2011.01.012
.. [2] Balshem H, Helfand M, Schünemann HJ, et al. GRADE guidelines: 3.
   Rating the quality of evidence. J Clin Epidemiol. 2011;64(4):401-406.
   https://doi.org/10.1016/j.jclinepi.2010.07.015
.. [3] Schoenfeld D. The asymptotic properties of nonparametric tests for
   comparing survival distributions. Biometrika. 1981;68(1):316-319.
   https://doi.org/10.1093/biomet/68.1.316
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

__all__ = ["DOMAINS", "CertaintyRating", "DomainJudgement", "ImprecisionInput", "JudgementFileError", "default_judgements_path",
           "imprecision", "optimal_information_size_binary", "optimal_information_size_events", "rate_certainty", "read_judgements"]

DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
DOMAIN_NAMES = {"risk_of_bias": "Risk of bias", "inconsistency": "Inconsistency", "indirectness": "Indirectness",
                "imprecision": "Imprecision", "publication_bias": "Publication bias"}
# Levels rated down for each judgement (GRADE: publication bias is "undetected" or "strongly suspected").
DOWNGRADE = {"not_serious": 0, "serious": 1, "very_serious": 2, "undetected": 0, "strongly_suspected": 1}
COMPUTED = "computed"
LEVELS = {4: ("High", "⊕⊕⊕⊕"), 3: ("Moderate", "⊕⊕⊕◯"), 2: ("Low", "⊕⊕◯◯"), 1: ("Very low", "⊕◯◯◯")}
COLUMNS = ("outcome", "domain", "judgement", "reason", "figures")


class JudgementFileError(ValueError):
    """A row of the judgements file that cannot be read: file, row, column, value and what was expected."""


def default_judgements_path() -> Path:
    """The BOLERO-2 judgements shipped with the package."""
    return Path(__file__).with_name("certainty_bolero2.csv")


@dataclass(frozen=True)
class DomainJudgement:
    """One GRADE domain judgement for one outcome."""

    outcome: str
    domain: str
    judgement: str
    reason: str
    figures: str

    @property
    def downgrade(self) -> int:
        return DOWNGRADE[self.judgement]


def read_judgements(path: Path | str | None = None) -> pd.DataFrame:
    """The judgements file, checked: known domains and judgements, a reason for each, one row per outcome and domain.

    ``judgement`` is ``not_serious``, ``serious`` or ``very_serious``
    (``undetected`` or ``strongly_suspected`` for publication bias);
    ``computed`` for imprecision means "apply :func:`imprecision`".

    Raises
    ------
    JudgementFileError
        Naming the file, the row (1-based, header = row 1), the column, the value found and what was expected.
    """
    path = Path(path) if path is not None else default_judgements_path()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise JudgementFileError(f"{path}: header: missing column(s) {missing}; expected {list(COLUMNS)}")
    for i, row in frame.iterrows():
        where = f"{path}: row {i + 2}"
        if row["domain"] not in DOMAINS:
            raise JudgementFileError(f"{where}, column 'domain': found {row['domain']!r}; expected one of {list(DOMAINS)}")
        if row["domain"] == "publication_bias":
            allowed = {"undetected", "strongly_suspected"}
        else:
            allowed = {"not_serious", "serious", "very_serious"} | ({COMPUTED} if row["domain"] == "imprecision" else set())
        if row["judgement"] not in allowed:
            raise JudgementFileError(f"{where}, column 'judgement': found {row['judgement']!r}; expected one of {sorted(allowed)}")
        if not row["reason"].strip() and row["judgement"] != COMPUTED:
            raise JudgementFileError(f"{where}, column 'reason': empty; every judgement needs its reason")
    duplicated = frame[frame.duplicated(["outcome", "domain"], keep=False)]
    if not duplicated.empty:
        first = duplicated.iloc[0]
        raise JudgementFileError(f"{path}: rows {[i + 2 for i in duplicated.index]}: outcome {first['outcome']!r}, "
                                 f"domain {first['domain']!r} judged more than once; expected one row per outcome and domain")
    for outcome, rows in frame.groupby("outcome", sort=False):
        absent = sorted(set(DOMAINS) - set(rows["domain"]))
        if absent:
            raise JudgementFileError(f"{path}: outcome {outcome!r}: no row for domain(s) {absent}; expected all five domains")
    return frame


def optimal_information_size_binary(control_risk: float, relative_change: float = 0.25, alpha: float = 0.05,
                                    power: float = 0.80) -> int:
    """Participants (both arms, 1:1) a single trial needs to detect a relative change in a risk.

    GRADE's OIS [1]_ for a dichotomous outcome: a conventional sample size
    with two-sided ``alpha`` and ``power`` for the control risk and the
    control risk changed by ``relative_change`` (25% by default, GRADE's
    suggestion). Computed with statsmodels (arcsine effect size, normal
    approximation), rounded up per arm.

    Parameters
    ----------
    control_risk : float
        Risk in the control arm, in (0, 1).
    relative_change : float, optional
        Relative increase (harms) or decrease (benefits) to detect; > 0.
    alpha, power : float, optional
        Two-sided type I error and power (0.05 and 0.80 by default).

    Returns
    -------
    int
        Total participants.
    """
    if not 0.0 < control_risk < 1.0:
        raise ValueError(f"control_risk={control_risk!r}: expected a risk strictly between 0 and 1")
    if not relative_change > 0.0:
        raise ValueError(f"relative_change={relative_change!r}: expected a positive relative change")
    other = control_risk * (1.0 + relative_change)
    if other >= 1.0:
        other = control_risk * (1.0 - relative_change)
    effect = abs(proportion_effectsize(other, control_risk))
    per_arm = NormalIndPower().solve_power(effect_size=effect, alpha=alpha, power=power, ratio=1.0, alternative="two-sided")
    return 2 * math.ceil(per_arm)


def optimal_information_size_events(hazard_ratio: float, alpha: float = 0.05, power: float = 0.80) -> int:
    """Events (both arms, 1:1) a single trial needs to detect ``hazard_ratio`` with a log-rank test.

    Schoenfeld's formula [3]_, ``4 (z_{1-alpha/2} + z_{power})^2 / log(HR)^2``,
    rounded up: GRADE's OIS for a time-to-event outcome is a number of events.
    """
    if not 0.0 < hazard_ratio != 1.0:
        raise ValueError(f"hazard_ratio={hazard_ratio!r}: expected a positive hazard ratio other than 1")
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    return math.ceil(4 * z**2 / math.log(hazard_ratio) ** 2)


@dataclass(frozen=True)
class ImprecisionInput:
    """What the imprecision rule reads for one outcome.

    ``measure`` names the interval: ``"ratio"`` (null 1; appreciable effects
    below 0.75 and above 1.25, GRADE's default thresholds [1]_) or
    ``"difference"`` (null 0). ``information`` is the participants (binary)
    or events (time to event) observed, ``ois`` what a single trial needs
    (None: the OIS does not apply or cannot be computed).
    """

    measure: str
    estimate: float | None
    low: float | None
    high: float | None
    information: float | None = None
    information_unit: str = "participants"
    ois: int | None = None


def imprecision(data: ImprecisionInput) -> tuple[str, str]:
    """GRADE's imprecision rule [1]_ applied to a 95% interval: the judgement and its reason.

    * no interval: ``serious`` (the precision cannot be judged);
    * the interval includes no effect: ``serious``, and ``very_serious``
      when a ratio's interval spans both appreciable benefit (< 0.75) and
      appreciable harm (> 1.25);
    * the interval excludes no effect but the observed information is below
      the OIS: ``serious``;
    * otherwise ``not_serious``.
    """
    if data.measure not in ("ratio", "difference"):
        raise ValueError(f"measure={data.measure!r}: expected 'ratio' or 'difference'")
    null = 1.0 if data.measure == "ratio" else 0.0
    if data.low is None or data.high is None:
        return "serious", "no 95% interval is reported, so precision cannot be judged"
    digits = 2 if data.measure == "ratio" else 1
    unit = "" if data.measure == "ratio" else " percentage points"
    shown = f"95% CI {_figure(data.low, digits)} to {_figure(data.high, digits)}{unit}"
    if data.low <= null <= data.high:
        if data.measure == "ratio" and data.low < 0.75 and data.high > 1.25:
            return "very_serious", f"{shown} includes no effect and both appreciable benefit and harm"
        return "serious", f"{shown} includes no effect"
    if data.ois is not None and data.information is not None and data.information < data.ois:
        return "serious", (f"{shown} excludes no effect, but {_figure(data.information, 0)} {data.information_unit} "
                           f"is below the optimal information size of {_figure(data.ois, 0)}")
    ois = "" if data.ois is None else f"; {_figure(data.information, 0)} {data.information_unit} reach the optimal information size of {_figure(data.ois, 0)}"
    return "not_serious", f"{shown} excludes no effect{ois}"


def _figure(value: float, digits: int) -> str:
    from ..presentation.text import number  # the one place numbers become text

    return number(value, digits)


@dataclass(frozen=True)
class CertaintyRating:
    """The certainty of one outcome's evidence: start level, the judgements, the resulting level."""

    outcome: str
    judgements: tuple[DomainJudgement, ...]
    start: int = 4

    @property
    def level(self) -> int:
        return max(1, self.start - sum(j.downgrade for j in self.judgements))

    @property
    def label(self) -> str:
        return LEVELS[self.level][0]

    @property
    def symbols(self) -> str:
        return LEVELS[self.level][1]


def rate_certainty(judgements: pd.DataFrame, outcome: str, computed: dict[str, tuple[str, str]] | None = None) -> CertaintyRating:
    """Rate one outcome from its five judgements (randomised trial: start at high).

    Parameters
    ----------
    judgements : DataFrame
        :func:`read_judgements`.
    outcome : str
        The outcome id in the file.
    computed : dict, optional
        Outcome id -> (judgement, reason) from :func:`imprecision`, used
        where the file says ``computed``.
    """
    rows = judgements[judgements["outcome"] == outcome]
    if rows.empty:
        raise KeyError(f"no certainty judgements for outcome {outcome!r}; expected rows for all five domains")
    out = []
    for domain in DOMAINS:
        row = rows[rows["domain"] == domain].iloc[0]
        judgement, reason = row["judgement"], row["reason"]
        if judgement == COMPUTED:
            if not computed or outcome not in computed:
                raise KeyError(f"imprecision of {outcome!r} is 'computed' but no interval was given to compute it from")
            judgement, computed_reason = computed[outcome]
            reason = f"{reason} {computed_reason}".strip() if reason else computed_reason
        out.append(DomainJudgement(outcome, domain, judgement, reason, row["figures"]))
    return CertaintyRating(outcome, tuple(out))
