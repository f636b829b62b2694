"""A login to stsh through a real pseudo-terminal, for the interactive tests: the user's own
credentials (setpriv), a private mount namespace whose /dev/log is the test's rsyslogd."""
import os
import pty
import re
import select
import signal
import time

# The test user's name: this run's own (tests/shell/common.sh exports it).
PROMPT = re.compile(re.escape(os.environ.get("STSH_TEST_USER", "stsh-shelltest"))
                    + r"@[^:]+:[^$]*\$ ")


class Session:
    """One login through a pty."""

    def __init__(self, stsh, policy, user, home, log_socket):
        env = {"PATH": "/usr/bin:/bin", "TERM": "xterm", "HOME": home}
        inner = ["setpriv", "--reuid", user, "--regid", user, "--init-groups", "--",
                 stsh, "-l", "--policy", policy]
        argv = ["unshare", "--mount", "--propagation", "private", "bash", "-c",
                'mount --bind "$1" /dev/log && shift && cd "$HOME" && exec "$@"', "_",
                log_socket] + inner
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe(argv[0], argv, env)
        self.buffer = ""

    def read_for(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            ready, _, _ = select.select([self.fd], [], [], max(0, end - time.time()))
            if not ready:
                break
            try:
                data = os.read(self.fd, 4096)
            except OSError:
                break
            if not data:
                break
            # Bracketed-paste mode switches (readline 8.1) are noise for these checks.
            self.buffer += data.decode("utf-8", "replace")
            self.buffer = re.sub(r"\x1b\[\?2004[hl]\r?", "", self.buffer)

    def expect(self, pattern, timeout=10):
        """Waits for `pattern` in the output since the last expect; returns the match."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        end = time.time() + timeout
        while True:
            m = regex.search(self.buffer)
            if m:
                self.buffer = self.buffer[m.end():]
                return m
            if time.time() >= end:
                return None
            self.read_for(min(0.2, end - time.time()))

    def send(self, text):
        os.write(self.fd, text.encode())

    def wait_exit(self, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return status
            self.read_for(0.1)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        return None

    def close(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


class Checks:
    """Prints "ok: ..." / "FAIL: ..." lines and counts the failures."""

    def __init__(self):
        self.failures = 0

    def __call__(self, what, ok, session=None):
        if ok:
            print(f"ok: {what}", flush=True)
            return
        self.failures += 1
        print(f"FAIL: {what}", flush=True)
        if session is not None:
            print("    output so far: " + repr(session.buffer[-400:]), flush=True)
