"""What the notebooks compute, one module per notebook, so that notebooks stay thin.

Each module turns validated tables (:func:`bolero_evidence.data.load_tables`)
into numbers: result frames with numeric columns, or frozen dataclasses, using
the statistics of :mod:`bolero_evidence.stats`. For every figure that goes into
the register a module also returns a :class:`bolero_evidence.register.Figure`
(id, value, interval, unit, method, source ids, description), which the
notebook registers with :meth:`bolero_evidence.register.Register.extend`.
Nothing here formats numbers for display: :mod:`bolero_evidence.presentation`
writes the tables.
"""
