"""Login to prompt: how long a shell takes from its start on a pseudo-terminal to its first
prompt (a line ending in "$ "), then `exit`. Prints the median and the range in ms.
Usage: login_prompt.py RUNS CMD [ARG...]   (run as the user whose login it is)"""
import os
import pty
import re
import select
import sys
import time

PROMPT = re.compile(r"\$ (\x1b\[\?2004h)?$")


def one(argv):
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    seen = b""
    deadline = start + 10
    while not PROMPT.search(seen.decode("utf-8", "replace")):
        ready, _, _ = select.select([fd], [], [], max(0, deadline - time.monotonic()))
        if not ready:
            os.kill(pid, 9)
            sys.exit("login_prompt: no prompt within 10 s from %s; saw %r" % (argv, seen[-200:]))
        seen += os.read(fd, 4096)
    elapsed = time.monotonic() - start
    os.write(fd, b"exit\n")
    try:
        while os.read(fd, 4096):
            pass
    except OSError:
        pass
    os.waitpid(pid, 0)
    os.close(fd)
    return elapsed * 1000


def main():
    runs = int(sys.argv[1])
    times = sorted(one(sys.argv[2:]) for _ in range(runs))
    print("%.1f ms (%.1f-%.1f)" % (times[len(times) // 2], times[0], times[-1]))


if __name__ == "__main__":
    main()
