"""gtflow: a reproducible grounded-theory research pipeline."""

__version__ = "0.1.0"
