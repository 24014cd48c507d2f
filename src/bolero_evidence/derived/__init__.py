"""What the notebooks compute, one module per notebook, so that notebooks stay thin.

Each module turns validated tables (:func:`bolero_evidence.data.load_tables`)
into result frames with the statistics of :mod:`bolero_evidence.stats`; the
notebook shows them, plots them and registers the derived figures.
"""
