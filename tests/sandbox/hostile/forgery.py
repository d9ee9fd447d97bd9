import gc
import socket

from ironkeel import Param, Strategy


class Forgery(Strategy):
    """Finds the sandbox's own socket and writes garbage on it, as if it were the
    protocol: the engine must refuse it (and never unpickle anything)."""

    at: int = Param(30)

    def on_start(self):
        self.n = 0

    def on_bar(self, bar):
        self.n += 1
        if self.n == self.at:
            for candidate in gc.get_objects():
                if isinstance(candidate, socket.socket):
                    candidate.send(b"\x80\x04\x95 not msgpack, a pickle header")
