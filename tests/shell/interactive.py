#!/usr/bin/env python3
"""The interactive shell through a real pseudo-terminal: prompt and banner, completion that
offers only permitted commands and readable paths, history across sessions, Ctrl-C, Ctrl-Z
and fg, Ctrl-D. Run by interactive_test.sh (which makes the user and the private syslog).

Usage: interactive.py STSH POLICY USER HOME LOG_SOCKET IDLE_POLICY
Prints "ok: ..." / "FAIL: ..." lines; the wrapper counts them."""
import os
import sys
import time

from pty_session import PROMPT, Checks, Session

check = Checks()


def login():
    return Session(*sys.argv[1:6])


def run():
    s = login()
    check("the banner is shown", s.expect(r"stsh interactive test banner") is not None, s)
    check("the prompt shows user, host and ~", s.expect(PROMPT) is not None, s)

    s.send("echo hello from the pty\r")
    check("a command runs", s.expect(r"\r\nhello from the pty\r\n") is not None, s)
    s.expect(PROMPT)

    # A compound command over several lines: PS2 until it is complete, then it runs.
    s.send("for w in one two; do\r")
    check("an open loop asks for more with PS2", s.expect(r"\r\n> ") is not None, s)
    s.send("echo \"word-$w\"; done\r")
    check("the loop runs once complete", s.expect(r"word-one\r\nword-two\r\n") is not None, s)
    s.expect(PROMPT)
    s.send("f() { echo \"fn-$1\"; }; f arg\r")
    check("a function runs at the prompt", s.expect(r"\r\nfn-arg\r\n") is not None, s)
    s.expect(PROMPT)

    # read takes a line from the terminal.
    s.send("read answer; echo \"answer=$answer\"\r")
    time.sleep(0.5)
    s.send("forty-two\r")
    check("read reads the terminal", s.expect(r"answer=forty-two") is not None, s)
    s.expect(PROMPT)

    s.send("bash\r")
    check("a denied command says so",
          s.expect(r"stsh: bash: not permitted by the policy") is not None, s)
    s.expect(PROMPT)

    # Completion: a permitted command completes, a denied one does not.
    s.send("ca\t")
    check("tab completes a permitted command (ca -> cat)", s.expect(r"cat ", 5) is not None, s)
    s.send("\x15")  # Ctrl-U: drop the line
    s.send("bas\t")
    s.read_for(1.0)
    check("tab offers nothing for a denied command (bas -/-> bash)", "bash" not in s.buffer, s)
    s.send("\x15")
    s.send("cat ~/glo\t")
    check("tab completes a readable path (~/glo -> ~/globdir/)",
          s.expect(r"globdir/", 5) is not None, s)
    s.send("\x15")
    # Names are metadata, visible unless a tree is hidden (hide:): a directory whose files
    # the user may not read still completes, as ls would list it.
    s.send("cat ~/secret/f\t")
    check("tab completes a name in a directory whose contents are denied",
          s.expect(r"secret/file", 5) is not None, s)
    s.send("\x15")
    s.buffer = ""

    # Ctrl-C at the prompt forgets the line.
    s.send("echo partial")
    s.read_for(0.3)
    s.send("\x03")
    s.expect(PROMPT)
    s.send("echo after-interrupt\r")
    m = s.expect(r"\r\n([^\r\n]*)after-interrupt\r\n")
    check("Ctrl-C at the prompt clears the line", m is not None and "partial" not in m.group(1), s)
    s.expect(PROMPT)

    # Ctrl-C ends a loop the shell runs itself, and a loop whose command it interrupts.
    s.send("while :; do :; done\r")
    s.read_for(0.5)
    s.send("\x03")
    check("Ctrl-C ends a loop of builtins", s.expect(PROMPT, 5) is not None, s)
    s.send("for i in 1 2 3; do sleep 10; done; echo never-$((40+2))\r")
    s.read_for(0.5)
    started = time.time()
    s.send("\x03")
    check("Ctrl-C ends a loop of commands (and the rest of the line, as in bash)",
          s.expect(PROMPT, 5) is not None and "never-42" not in s.buffer, s)
    check("... at once", time.time() - started < 3)
    s.send("echo loop-status=$?\r")
    check("... with status 130", s.expect(r"loop-status=130") is not None, s)
    s.expect(PROMPT)

    # Ctrl-C interrupts the foreground job, not the shell.
    s.send("sleep 30\r")
    s.read_for(0.5)
    started = time.time()
    s.send("\x03")
    check("Ctrl-C ends the foreground job", s.expect(PROMPT, 5) is not None, s)
    check("... at once", time.time() - started < 3)
    s.send("echo status=$?\r")
    check("... with status 130", s.expect(r"status=130") is not None, s)
    s.expect(PROMPT)

    # Ctrl-Z stops the foreground job; jobs lists it; fg brings it back with the terminal.
    s.send("cat\r")
    s.read_for(0.5)
    s.send("\x1a")
    check("Ctrl-Z stops the job", s.expect(r"Stopped\s+cat") is not None, s)
    s.expect(PROMPT)
    s.send("jobs\r")
    check("jobs shows it stopped", s.expect(r"\[1\]\+\s+Stopped\s+cat") is not None, s)
    s.expect(PROMPT)
    s.send("fg\r")
    check("fg names the job", s.expect(r"\r\ncat\r\n") is not None, s)
    s.send("typed after fg\r")
    check("the job reads the terminal again after fg", s.expect(r"typed after fg\r\ntyped after fg") is not None, s)
    s.send("\x04")
    check("the job ends with Ctrl-D and the prompt returns", s.expect(PROMPT) is not None, s)

    s.send("echo remembered-line-42\r")
    s.expect(PROMPT)
    s.send("\x04")
    status = s.wait_exit()
    check("Ctrl-D at the prompt ends the session", status is not None and os.WIFEXITED(status), s)
    s.close()

    # History survives a new session: Up recalls the last line, `history` lists it.
    s = login()
    s.expect(PROMPT)
    s.send("\x1b[A")
    check("Up in a new session recalls the last line", s.expect(r"echo remembered-line-42") is not None, s)
    s.send("\x15")
    s.send("history\r")
    check("history lists it", s.expect(r"\d+  echo remembered-line-42") is not None, s)
    s.expect(PROMPT)
    s.send("exit\r")
    check("exit ends the session", s.wait_exit() is not None, s)
    s.close()

    # The policy's idle timeout ends a session left at the prompt.
    stsh, _, user, home, log_socket, idle_policy = sys.argv[1:7]
    s = Session(stsh, idle_policy, user, home, log_socket)
    check("idle: the prompt comes", s.expect(PROMPT) is not None, s)
    started = time.time()
    check("idle: after 2 s at the prompt the session ends",
          s.expect(r"idle for 2s; the session ends", 8) is not None, s)
    check("idle: ... not much before (the clock started with the prompt)", time.time() - started >= 1.5)
    check("idle: the shell exits", s.wait_exit() is not None, s)
    s.close()
    return check.failures


if __name__ == "__main__":
    sys.exit(1 if run() else 0)
