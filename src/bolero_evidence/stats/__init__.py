"""Statistical methods behind the derived figures.

Modules
-------
proportions
    Intervals for one and two independent proportions, numbers needed to
    treat or harm, and the counts consistent with a printed percentage.
rounding
    Counts behind printed percentages under one stated reading of a table's
    rounding and ``<1`` flag (default ``"threshold"``; ``"rounding"`` for
    the sensitivity analysis), and intervals as unions over those counts.
exact
    Exact unconditional (Chan-Zhang) intervals for a risk ratio and a risk
    difference, and the rule for when a ratio can be cited.
survival
    Absolute and relative effects derived from published time-to-event
    aggregates (medians, hazard ratios and their intervals, event counts).
exponential
    Model-based (exponential) intervals for a median, a difference of
    medians and the hazard ratio implied by two medians; published
    aggregates give no model-free interval for these.
absolute
    Anticipated absolute effects of a time-to-event outcome at a time point
    per 1000 patients (GRADE guidance 27).
groupseq
    Lan-DeMets alpha spending and group-sequential efficacy boundaries,
    required events and power.
accrual
    Expected events over calendar time under uniform accrual with
    exponential event and loss-to-follow-up times.
"""
