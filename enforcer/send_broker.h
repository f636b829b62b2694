// sendto(2), sendmsg(2) and sendmmsg(2) under seccomp user notification: the destinations of
// datagrams, decided like connect(2). The supervisor copies everything the call names — the
// address, the data, the control messages — once, decides on its copy of each address, and
// sends its copy from a duplicate of the process's socket (pidfd_getfd), so nothing the
// process changes afterwards (another thread rewriting msg_name, say) is what is sent (the
// TOCTOU rule, case b). sendmsg and sendmmsg are brokered even without an address: the
// msghdr is in memory, where an address could appear after it was read.
//
// sendto is routed to the supervisor only when its address argument is not NULL (the filter
// sees registers); send(2) and write(2) on a connected socket never are.
#pragma once

#include <linux/seccomp.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "enforcer/socket_broker.h"
#include "policy/call.h"

namespace stsh::enforcer {

bool is_brokered_send_call(int nr);

struct SendMessage {
  std::optional<SocketRequest> destination;  // none: the socket's own peer
  std::string data;                          // the iovecs, gathered
  std::vector<char> control;                 // cmsgs, SCM_RIGHTS still naming the process's fds
  unsigned long long len_address = 0;        // sendmmsg: where the kernel would put msg_len
};

struct SendRequest {
  int nr = 0;
  int sockfd = -1;
  int flags = 0;
  std::vector<SendMessage> messages;  // one for sendto and sendmsg
};

// Reads the whole call (data up to 1 MiB per call: a stream socket sends less, as it may;
// a larger datagram fails with EMSGSIZE as it would anyway). nullopt with `error` set when
// something cannot be read or an address is invalid.
std::optional<SendRequest> read_send_request(const seccomp_notif& n, pid_t tgid, int& error);

// The Calls the Plan decides: one per message that names a destination.
std::vector<policy::Call> send_calls(const SendRequest& req);

// Sends our copies from a duplicate of the socket; the syscall's return value (bytes, or
// messages for sendmmsg, whose msg_len fields are written back) or -errno. May block (a full
// socket buffer): run it off the supervisor's loop.
long send_on_behalf(pid_t tgid, const SendRequest& req);

}  // namespace stsh::enforcer
