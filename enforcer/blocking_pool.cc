#include "enforcer/blocking_pool.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <thread>

#include "enforcer/unique_fd.h"

namespace stsh::enforcer {
namespace {

// glibc keeps the first real-time signals for itself; SIGRTMIN is already past them.
int interrupt_signal() { return SIGRTMIN + 4; }

void on_interrupt(int) {}  // only there to make the worker's syscall return EINTR

void install_interrupt_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: the interrupted call returns EINTR
    sigaction(interrupt_signal(), &sa, nullptr);
  });
}

thread_local bool t_private_worker = false;

constexpr auto kWatchInterval = std::chrono::milliseconds(100);

}  // namespace

struct BlockingPool::State {
  struct Job {
    UniqueFd listener;
    __u64 id = 0;
    std::function<void()> run;
  };
  // A job being run, for the watchdog.
  struct Running {
    pthread_t thread;
    int listener;
    __u64 id;
  };

  std::mutex mutex;
  std::condition_variable wake;
  std::deque<Job> queue;
  std::list<Running> running;
  unsigned workers = 0;
  unsigned idle = 0;
  bool watchdog = false;
  bool stopping = false;

  static void work(const std::shared_ptr<State>& self);
  static void watch(const std::shared_ptr<State>& self);
};

void BlockingPool::State::work(const std::shared_ptr<State>& self) {
  // Only the interrupt reaches a worker: the signals meant for the shell or stsh-run stay
  // with their threads, and a job's wait is cut short by nothing else.
  sigset_t all;
  sigfillset(&all);
  sigdelset(&all, interrupt_signal());
  pthread_sigmask(SIG_SETMASK, &all, nullptr);
  t_private_worker = unshare(CLONE_FS) == 0;
  std::unique_lock lock(self->mutex);
  for (;;) {
    ++self->idle;
    self->wake.wait(lock, [&] { return self->stopping || !self->queue.empty(); });
    --self->idle;
    if (self->queue.empty()) break;  // stopping, nothing left
    Job job = std::move(self->queue.front());
    self->queue.pop_front();
    auto me = self->running.insert(self->running.end(),
                                   Running{pthread_self(), job.listener.get(), job.id});
    lock.unlock();
    job.run();
    lock.lock();
    // Under the lock, so the watchdog never signals this thread for a job it has finished.
    self->running.erase(me);
  }
  --self->workers;
}

void BlockingPool::State::watch(const std::shared_ptr<State>& self) {
  std::unique_lock lock(self->mutex);
  while (!self->running.empty() || !self->queue.empty()) {
    for (const Running& r : self->running) {
      __u64 id = r.id;
      if (self->stopping || ioctl(r.listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) != 0) {
        pthread_kill(r.thread, interrupt_signal());
      }
    }
    self->wake.wait_for(lock, kWatchInterval);
  }
  self->watchdog = false;
}

BlockingPool::BlockingPool() : state_(std::make_shared<State>()) { install_interrupt_handler(); }

BlockingPool::~BlockingPool() {
  std::lock_guard lock(state_->mutex);
  state_->stopping = true;
  state_->queue.clear();
  state_->wake.notify_all();
}

void BlockingPool::submit(int listener, __u64 id, std::function<void()> job) {
  UniqueFd copy(fcntl(listener, F_DUPFD_CLOEXEC, 0));
  std::lock_guard lock(state_->mutex);
  state_->queue.push_back(State::Job{std::move(copy), id, std::move(job)});
  if (state_->idle == 0 && state_->workers < kMaxWorkers) {
    ++state_->workers;
    std::thread([self = state_] { State::work(self); }).detach();
  }
  if (!state_->watchdog) {
    state_->watchdog = true;
    std::thread([self = state_] { State::watch(self); }).detach();
  }
  state_->wake.notify_all();
}

bool BlockingPool::on_private_worker() { return t_private_worker; }

}  // namespace stsh::enforcer
