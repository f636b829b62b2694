#!/usr/bin/env python3
"""The breakouts that need a terminal, through a real pty: vi's :!sh, less's !sh, and a
newline typed with Ctrl-V Ctrl-J (lshell ran what followed it unfiltered). Each escape would
create ~/escaped-NAME; escape_test.sh checks that it does not exist and that the denial was
logged. Usage: escapes_pty.py STSH POLICY USER HOME LOG_SOCKET"""
import sys

from pty_session import PROMPT, Checks, Session

check = Checks()


def run():
    s = Session(*sys.argv[1:6])
    check("the shell starts", s.expect(PROMPT) is not None, s)

    # vim: :!sh -c '...' (vim runs 'shell' = $SHELL = /bin/sh -c ...).
    s.send("vim -N -u NONE -i NONE -n\r")
    s.read_for(1.5)
    s.send(":!touch $HOME/escaped-vim\r")
    s.read_for(1.5)
    s.send("\r")  # "Press ENTER"
    s.read_for(0.5)
    s.send(":qa!\r")
    check("vim: back at the prompt after :!", s.expect(PROMPT) is not None, s)

    # less: !command runs $SHELL -c command.
    s.send("less /etc/hostname\r")
    s.read_for(1.5)
    s.send("!touch $HOME/escaped-less\r")
    s.read_for(1.5)
    s.send("\r")
    s.read_for(0.5)
    s.send("q")
    check("less: back at the prompt after !", s.expect(PROMPT) is not None, s)

    # A pager started by git: core.pager with shell syntax runs through sh -c.
    s.send("git -c core.pager='touch $HOME/escaped-git-pager; cat' -p diff --no-index "
           "/etc/hostname /etc/hosts\r")
    check("git pager: back at the prompt", s.expect(PROMPT, 15) is not None, s)

    # Ctrl-V Ctrl-J puts a newline into the line: for stsh that is just two commands, and the
    # second meets the policy like the first.
    s.send("echo first\x16\nbash -c 'touch $HOME/escaped-ctrl-v'\r")
    check("Ctrl-V Ctrl-J: the first command runs", s.expect(r"first") is not None, s)
    check("Ctrl-V Ctrl-J: the second is denied",
          s.expect(r"stsh: bash: not permitted by the policy") is not None, s)
    s.expect(PROMPT)
    s.send("exit\r")
    check("the pty escapes ran to the end", s.wait_exit() is not None, s)
    s.close()
    return check.failures


if __name__ == "__main__":
    sys.exit(1 if run() else 0)
