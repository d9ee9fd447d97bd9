from ironkeel import Param, Strategy


class ForkExec(Strategy):
    at: int = Param(30)

    def on_start(self):
        self.n = 0

    def on_bar(self, bar):
        self.n += 1
        if self.n == self.at:
            import _posixsubprocess  # noqa: PLC0415 - not audited: only the kernel stops it
            import os  # noqa: PLC0415

            errpipe_read, errpipe_write = os.pipe()

            # args, executables, close_fds, pass_fds, cwd, env, 6 pipe ends, errpipe r/w,
            # restore_signals, new session, process group, gid, groups, uid, umask,
            # preexec_fn, allow_vfork (Python 3.11)
            _posixsubprocess.fork_exec(
                [b"/bin/sh", b"-c", b"touch /tmp/ironkeel-hostile-exec"],
                [b"/bin/sh"],
                True,
                (),
                None,
                None,
                -1,
                -1,
                -1,
                -1,
                -1,
                -1,
                errpipe_read,
                errpipe_write,
                False,
                False,
                -1,
                None,
                None,
                None,
                -1,
                None,
                False,
            )
            raise RuntimeError("fork_exec returned: the program ran")
