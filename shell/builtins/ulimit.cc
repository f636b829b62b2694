#include <sys/resource.h>

#include <cstdint>
#include <optional>

#include "shell/builtins.h"
#include "shell/shell.h"

namespace stsh::shell {
namespace {

struct Resource {
  char option;
  int resource;  // RLIMIT_*
  uint64_t unit;  // bytes per unit shown, or 1
  const char* label;
};

constexpr Resource kResources[] = {
    {'t', RLIMIT_CPU, 1, "time(seconds)"},
    {'f', RLIMIT_FSIZE, 512, "file(blocks)"},
    {'d', RLIMIT_DATA, 1024, "data(kbytes)"},
    {'s', RLIMIT_STACK, 1024, "stack(kbytes)"},
    {'c', RLIMIT_CORE, 512, "coredump(blocks)"},
    {'n', RLIMIT_NOFILE, 1, "nofiles(descriptors)"},
    {'u', RLIMIT_NPROC, 1, "processes"},
    {'v', RLIMIT_AS, 1024, "vmemory(kbytes)"},
};

const Resource* find_resource(char option) {
  for (const Resource& r : kResources) {
    if (r.option == option) return &r;
  }
  return nullptr;
}

std::string shown(uint64_t value, uint64_t unit) {
  return value == RLIM_INFINITY ? "unlimited" : std::to_string(value / unit);
}

// "unlimited" or a decimal number of units; nullopt when it is neither or overflows.
std::optional<uint64_t> parse_limit(const std::string& text, uint64_t unit) {
  if (text == "unlimited") return RLIM_INFINITY;
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return {};
  uint64_t value = 0;
  for (char c : text) {
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return {};
    value = value * 10 + digit;
  }
  if (value > (RLIM_INFINITY - 1) / unit) return {};
  return value * unit;
}

}  // namespace

// ulimit [-H|-S] [-a | -t|-f|-d|-s|-c|-n|-u|-v [limit]]: the limits of the commands the shell
// starts (-f when no resource is named; both soft and hard are set unless -H or -S says
// which). They can only be lowered within the session's (the policy's): the shell's own
// limits stay, it supervises those commands. Kept like the umask: a subshell's are its own.
STSH_BUILTIN(ulimit) {
  bool hard = false, soft = false, all = false;
  const Resource* resource = nullptr;
  size_t i = 1;
  for (; i < argv.size() && argv[i].size() > 1 && argv[i][0] == '-'; ++i) {
    if (argv[i] == "--") {
      ++i;
      break;
    }
    for (char c : argv[i].substr(1)) {
      if (c == 'H') hard = true;
      else if (c == 'S') soft = true;
      else if (c == 'a') all = true;
      else if (const Resource* r = find_resource(c)) resource = r;
      else {
        io.err += std::string("stsh: ulimit: -") + c + ": unknown option\n";
        return 2;
      }
    }
  }
  if (all) {
    for (const Resource& r : kResources) {
      const enforcer::LaunchLimit now = shell.command_limit(r.resource);
      std::string label = r.label;
      label.resize(22, ' ');
      io.out += label + shown(hard ? now.hard : now.soft, r.unit) + "\n";
    }
    return 0;
  }
  if (!resource) resource = find_resource('f');
  const enforcer::LaunchLimit now = shell.command_limit(resource->resource);
  if (i >= argv.size()) {
    io.out += shown(hard ? now.hard : now.soft, resource->unit) + "\n";
    return 0;
  }
  if (i + 1 < argv.size()) {
    io.err += "stsh: ulimit: too many arguments\n";
    return 2;
  }
  const std::optional<uint64_t> value = parse_limit(argv[i], resource->unit);
  if (!value) {
    io.err += "stsh: ulimit: " + argv[i] + ": not a number of units or unlimited\n";
    return 1;
  }
  if (!hard && !soft) hard = soft = true;
  enforcer::LaunchLimit next = now;
  if (hard) next.hard = *value;
  if (soft) next.soft = *value;
  if (next.hard > now.hard) {
    io.err += "stsh: ulimit: " + argv[i] + ": the hard limit cannot be raised (it is " +
              shown(now.hard, resource->unit) + ")\n";
    return 1;
  }
  if (next.soft > next.hard) {
    io.err += "stsh: ulimit: " + argv[i] +
              (soft ? ": the soft limit cannot be above the hard one (" +
                          shown(next.hard, resource->unit) + ")\n"
                    : ": the hard limit cannot be below the soft one (" +
                          shown(next.soft, resource->unit) + ")\n");
    return 1;
  }
  shell.limits()[resource->resource] = next;
  return 0;
}

}  // namespace stsh::shell
