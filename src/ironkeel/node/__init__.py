"""The long-lived node that hosts running strategies (paper trading for now) and takes
deploys and rollbacks over its control socket (see docs/sandbox.md)."""

from ironkeel.node.control import Answer, Command, NodeNotRunningError, send
from ironkeel.node.paper import PaperNode

__all__ = ["Answer", "Command", "NodeNotRunningError", "PaperNode", "send"]
