"""One module per section of the report; each has ``build(results) -> value`` that reads finished
results (:class:`gtflow.report.results.Results`) and returns the section's part of the context.

The sections and their context keys are listed in :data:`gtflow.report.context.SECTIONS`.
"""
