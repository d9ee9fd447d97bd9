import socket

from ironkeel import Param, Strategy


class Tcp(Strategy):
    port: int = Param(9)
    at: int = Param(30)

    def on_start(self):
        self.n = 0

    def on_bar(self, bar):
        self.n += 1
        if self.n == self.at:
            conn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            conn.connect(("127.0.0.1", self.port))
            conn.sendall(b"escaped")
