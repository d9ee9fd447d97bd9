"""ironkeel: run many custom trading strategies safely, on one exact, deterministic code path."""

__version__ = "0.1.0"

__all__ = ["__version__"]
