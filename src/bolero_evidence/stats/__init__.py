"""Statistical methods behind the derived figures.

Modules
-------
proportions
    Intervals for one and two independent proportions, numbers needed to
    treat or harm, and the counts consistent with a printed percentage.
survival
    Absolute and relative effects derived from published time-to-event
    aggregates (medians, hazard ratios and their intervals, event counts).
groupseq
    Lan-DeMets alpha spending and group-sequential efficacy boundaries,
    required events and power.
accrual
    Expected events over calendar time under uniform accrual with
    exponential event and loss-to-follow-up times.
"""
