"""GRADE certainty of evidence: domain judgements read as data, imprecision computed from the interval.

:mod:`.certainty` holds the rules (the five GRADE domains, the optimal
information size, the imprecision rule, the rating); ``certainty_bolero2.csv``
holds the judgements for BOLERO-2's summary of findings, one row per outcome
and domain, each with its reason and the figures it rests on. A panel that
disagrees with a judgement edits that row and rebuilds.
"""

from .certainty import (
    DOMAINS,
    CertaintyRating,
    DomainJudgement,
    ImprecisionInput,
    JudgementFileError,
    default_judgements_path,
    imprecision,
    optimal_information_size_binary,
    optimal_information_size_events,
    rate_certainty,
    read_judgements,
)

__all__ = ["DOMAINS", "CertaintyRating", "DomainJudgement", "ImprecisionInput", "JudgementFileError", "default_judgements_path",
           "imprecision", "optimal_information_size_binary", "optimal_information_size_events", "rate_certainty", "read_judgements"]
