from ironkeel import Param, Strategy


class WriteFile(Strategy):
    path: str = Param("/tmp/ironkeel-hostile")
    at: int = Param(30)

    def on_start(self):
        self.n = 0

    def on_bar(self, bar):
        self.n += 1
        if self.n == self.at:
            with open(self.path, "w") as handle:
                handle.write("escaped")
