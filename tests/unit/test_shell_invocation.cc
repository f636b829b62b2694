// How a command line from sshd is classified for the policy's ssh toggles: only one plain
// simple command can be a file transfer.
#include <catch2/catch.hpp>

#include "shell/invocation.h"

using stsh::shell::ssh_kind;

TEST_CASE("ssh toggles: the transfers sshd starts are recognised") {
  CHECK(ssh_kind("scp -t /home/alice/x") == "scp");
  CHECK(ssh_kind("scp -f -- 'file name'") == "scp");
  CHECK(ssh_kind("scp -r -p -t .") == "scp");
  CHECK(ssh_kind("/usr/lib/openssh/sftp-server") == "sftp");
  CHECK(ssh_kind("sftp-server -l INFO") == "sftp");
  CHECK(ssh_kind("rsync --server -vlogDtpre.iLsfxCIvu . /home/alice/dir") == "rsync");
  CHECK(ssh_kind("rsync --server --sender -e.LsfxCIvu . x") == "rsync");
}

TEST_CASE("ssh toggles: anything else is a command") {
  CHECK(ssh_kind("ls -la") == "command");
  CHECK(ssh_kind("scp x y") == "command");  // a client, not the server side
  CHECK(ssh_kind("rsync -a x y") == "command");
  CHECK(ssh_kind("scp -t x; cat /etc/passwd") == "command");
  CHECK(ssh_kind("scp -t x && id") == "command");
  CHECK(ssh_kind("scp -t x | cat") == "command");
  CHECK(ssh_kind("scp -t x > /tmp/y") == "command");
  CHECK(ssh_kind("scp -t $(id)") == "command");
  CHECK(ssh_kind("scp -t x &") == "command");
  CHECK(ssh_kind("A=/scp ls -t /") == "command");  // an assignment is not the program
  CHECK(ssh_kind("X=/sftp-server anything") == "command");
  CHECK(ssh_kind("/home/alice/bin/scp -t x") == "command");
  CHECK(ssh_kind("./sftp-server") == "command");
  CHECK(ssh_kind("scp -t 'x") == "command");  // incomplete
  CHECK(ssh_kind("") == "command");
}
