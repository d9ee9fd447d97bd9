"""Shared test set-up: the hypothesis profiles.

``ci`` (used by ``make unit``: ``pytest --hypothesis-profile=ci``) is reproducible:
no deadline (a 2-core CI box is slow and noisy), a derandomized search so every
run explores the same examples, and the failure blob printed for replay.
``dev`` is the default for a local ``pytest`` run: fewer examples, quick feedback.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("dev", deadline=None, max_examples=50)
# ``--hypothesis-profile`` (handled after this file is imported) overrides this default.
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
