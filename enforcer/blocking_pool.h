// Work done on behalf of a confined process that may wait as long as someone else likes: a
// FIFO open (for the other end), an open that breaks a lease, a connect (for the peer), a send
// (for buffer space), a bind (done from a directory of the worker's own). None of it may run on
// the supervisor's loop, which must answer every other call meanwhile, and none of it may cost
// a thread per call, or a process could make the supervisor start thousands.
//
// So it runs here, on at most kMaxWorkers threads; more waits its turn in a queue (a process's
// pending calls are bounded by its threads, which the session's nproc limit bounds). A job
// whose notification is gone — the process was killed, or a signal interrupted the call — is
// interrupted in turn: a watchdog sends its worker kInterruptSignal, installed without
// SA_RESTART, so the waiting syscall returns EINTR and the worker is free again. A FIFO that no
// one will ever open does not hold a worker for longer than the process waits for it.
//
// Each worker has its own working directory and umask (unshare(CLONE_FS)), so a job may fchdir
// and umask without touching the process the supervisor lives in.
#pragma once

#include <linux/types.h>

#include <functional>
#include <memory>

namespace stsh::enforcer {

class BlockingPool {
 public:
  static constexpr unsigned kMaxWorkers = 16;

  BlockingPool();
  // Workers still waiting are interrupted and end when their job does.
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Runs `job` on a worker. `listener` (duplicated here) and `id` name the notification the
  // job answers; while it is valid the job may wait, when it is not the job is interrupted.
  void submit(int listener, __u64 id, std::function<void()> job);

  // Whether the calling thread is a worker, with a working directory and umask of its own.
  static bool on_private_worker();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace stsh::enforcer
