"""The ``ironkeel`` command line (typer)."""

from ironkeel.cli.app import app, main

__all__ = ["app", "main"]
