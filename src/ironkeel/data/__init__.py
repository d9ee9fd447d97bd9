"""Market data sources: synthetic generators (and, later, importers and the catalog)."""

from ironkeel.data.synthetic import gbm_bars

__all__ = ["gbm_bars"]
