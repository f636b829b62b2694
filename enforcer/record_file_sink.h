// stsh-run --records FILE: violation and session records appended to a file instead of sent
// to syslog, one line each in rsyslog's traditional file format ("Mmm dd hh:mm:ss HOST
// IDENT[PID]: RECORD"), so stsh-policy report and learn read the file as they read a syslog
// file. For collecting records without a syslog daemon (stsh-policy learn -- CMD).
#pragma once

#include <string>
#include <string_view>

#include "enforcer/syslog_sender.h"
#include "enforcer/unique_fd.h"
#include "policy/result.h"

namespace stsh::enforcer {

class FileRecordSink : public DatagramSink {
 public:
  // Opens (creates, 0600) `path` for appending; a symlink in the last component is refused.
  static Result<std::unique_ptr<FileRecordSink>> open(const std::string& path);

  SendStatus send(std::string_view datagram) override;
  bool connect() override { return static_cast<bool>(fd_); }
  void wait_writable(std::chrono::milliseconds) override {}

 private:
  FileRecordSink(UniqueFd fd, std::string host) : fd_(std::move(fd)), host_(std::move(host)) {}
  UniqueFd fd_;
  std::string host_;
};

// "<PRI>Mmm dd hh:mm:ss IDENT[PID]: MSG" -> "Mmm dd hh:mm:ss HOST IDENT[PID]: MSG\n".
std::string file_line(std::string_view datagram, std::string_view host);

}  // namespace stsh::enforcer
