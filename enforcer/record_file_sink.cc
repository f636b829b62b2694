#include "enforcer/record_file_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace stsh::enforcer {

std::string file_line(std::string_view d, std::string_view host) {
  if (d.starts_with("<")) {
    const size_t close = d.find('>');
    if (close != std::string_view::npos) d.remove_prefix(close + 1);
  }
  std::string out;
  // The stamp is "%h %e %T": 15 bytes.
  if (d.size() > 16 && d[15] == ' ') {
    out.append(d.substr(0, 15));
    out += ' ';
    out += host;
    out += ' ';
    out.append(d.substr(16));
  } else {
    out.append(d);
  }
  out += '\n';
  return out;
}

Result<std::unique_ptr<FileRecordSink>> FileRecordSink::open(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return make_error("--records " + path + ": " + std::strerror(errno));
  char host[HOST_NAME_MAX + 1] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::strcpy(host, "localhost");
  return std::unique_ptr<FileRecordSink>(new FileRecordSink(std::move(fd), host));
}

SendStatus FileRecordSink::send(std::string_view datagram) {
  const std::string line = file_line(datagram, host_);
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_.get(), line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return SendStatus::failed;
    done += static_cast<size_t>(n);
  }
  return SendStatus::sent;
}

}  // namespace stsh::enforcer
