"""Running strategies in hardened processes of their own (see docs/sandbox.md), and the
checks and registry around them (allow-list, static checks, dependency pins, versions).

``SandboxPool`` starts a warm zygote and loads strategies into forked, hardened
processes; each comes back as a ``SandboxedStrategy`` that the engine hosts like
any in-process strategy.
"""

from ironkeel.sandbox.channel import SandboxMetrics
from ironkeel.sandbox.errors import SandboxError
from ironkeel.sandbox.handle import SandboxedStrategy
from ironkeel.sandbox.harden import Limits
from ironkeel.sandbox.pool import SandboxPool

__all__ = ["Limits", "SandboxError", "SandboxMetrics", "SandboxPool", "SandboxedStrategy"]
