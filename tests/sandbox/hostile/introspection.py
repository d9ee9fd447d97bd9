from ironkeel import Param, Strategy


class Introspection(Strategy):
    """The classic escape: reach os.system through object.__subclasses__()."""

    at: int = Param(30)

    def on_start(self):
        self.n = 0

    def on_bar(self, bar):
        self.n += 1
        if self.n == self.at:
            for cls in ().__class__.__base__.__subclasses__():
                if cls.__name__ == "_wrap_close":
                    system = cls.__init__.__globals__["system"]
                    status = system("touch /tmp/ironkeel-hostile-introspection")
                    raise RuntimeError(f"system() returned {status}")
