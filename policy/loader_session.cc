#include "policy/loader_session.h"

#include <sys/resource.h>
#include <syslog.h>

#include <array>
#include <charconv>

#include "policy/units.h"

namespace stsh::policy {
namespace {

using Node = YamlNode;

struct Facility {
  std::string_view name;
  int value;
};
constexpr std::array kFacilities{
    Facility{"auth", LOG_AUTH},     Facility{"authpriv", LOG_AUTHPRIV},
    Facility{"daemon", LOG_DAEMON}, Facility{"user", LOG_USER},
    Facility{"local0", LOG_LOCAL0}, Facility{"local1", LOG_LOCAL1},
    Facility{"local2", LOG_LOCAL2}, Facility{"local3", LOG_LOCAL3},
    Facility{"local4", LOG_LOCAL4}, Facility{"local5", LOG_LOCAL5},
    Facility{"local6", LOG_LOCAL6}, Facility{"local7", LOG_LOCAL7},
};

struct LimitKind {
  const char* name;
  int resource;
  enum { count, size, duration } unit;
};
constexpr std::array kLimitKinds{
    LimitKind{"nproc", RLIMIT_NPROC, LimitKind::count},
    LimitKind{"nofile", RLIMIT_NOFILE, LimitKind::count},
    LimitKind{"fsize", RLIMIT_FSIZE, LimitKind::size},
    LimitKind{"cpu", RLIMIT_CPU, LimitKind::duration},
    LimitKind{"as", RLIMIT_AS, LimitKind::size},
    LimitKind{"core", RLIMIT_CORE, LimitKind::size},
    LimitKind{"stack", RLIMIT_STACK, LimitKind::size},
};

Result<uint64_t> parse_count(std::string_view text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return make_error("invalid number '" + std::string(text) +
                      "' (expected a whole number or unlimited)");
  }
  return v;
}

bool is_env_name(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

Result<std::vector<std::string>> env_names(const YamlContext& ctx, const Node& node,
                                           std::string_view key) {
  std::vector<std::string> out;
  if (node.IsNull()) return out;
  if (!node.IsSequence())
    return ctx.error(node, "'env." + std::string(key) + "' must be a list of variable names");
  for (const auto& item : node) {
    auto name = ctx.string(item, "env." + std::string(key) + " entry");
    if (!name) return name.take_error();
    if (!is_env_name(*name)) return ctx.error(item, "'" + *name + "' is not a variable name");
    out.push_back(*name);
  }
  return out;
}

std::optional<Error> load_env(const YamlContext& ctx, const Node& node, SessionSpec& s) {
  if (!node.IsMap()) return ctx.error(node, "'env' must be a mapping with keys keep, set, unset");
  if (auto err = ctx.check_keys(node, "env", {"keep", "set", "unset"})) return err;
  for (const auto& kv : node) {
    const std::string& key = kv.first.Scalar();
    if (key == "set") {
      if (kv.second.IsNull()) continue;
      if (!kv.second.IsMap())
        return ctx.error(kv.second, "'env.set' must be a mapping of NAME: value");
      for (const auto& var : kv.second) {
        auto name = ctx.string(var.first, "env.set name");
        if (!name) return name.take_error();
        if (!is_env_name(*name))
          return ctx.error(var.first, "'" + *name + "' is not a variable name");
        auto value = ctx.expanded(var.second, "env.set." + *name);
        if (!value) return value.take_error();
        s.env_set.emplace_back(*name, *value);
      }
      continue;
    }
    auto names = env_names(ctx, kv.second, key);
    if (!names) return names.take_error();
    auto& dest = key == "keep" ? s.env_keep : s.env_unset;
    dest.insert(dest.end(), names->begin(), names->end());
  }
  return std::nullopt;
}

std::optional<Error> load_limits(const YamlContext& ctx, const Node& node, SessionSpec& s) {
  if (!node.IsMap()) return ctx.error(node, "'limits' must be a mapping");
  if (auto err = ctx.check_keys(node, "limits",
                                {"nproc", "nofile", "fsize", "cpu", "as", "core", "stack"}))
    return err;
  for (const auto& kv : node) {
    const std::string& key = kv.first.Scalar();
    const LimitKind* kind = nullptr;
    for (const auto& k : kLimitKinds) {
      if (key == k.name) kind = &k;
    }
    auto text = ctx.string(kv.second, "limits." + key);
    if (!text) return text.take_error();
    uint64_t value = kUnlimited;
    if (*text != "unlimited") {
      Result<uint64_t> parsed = kind->unit == LimitKind::size       ? parse_size(*text)
                                : kind->unit == LimitKind::duration ? parse_duration(*text)
                                                                    : parse_count(*text);
      if (!parsed) return ctx.error(kv.second, "limits." + key + ": " + parsed.error().message);
      value = *parsed;
    }
    s.limits.push_back(Limit{kind->name, kind->resource, value});
  }
  return std::nullopt;
}

std::optional<Error> load_ssh(const YamlContext& ctx, const Node& node, SessionSpec& s) {
  if (!node.IsMap())
    return ctx.error(node,
                     "'ssh' must be a mapping with keys interactive, command, scp, sftp, rsync");
  if (auto err = ctx.check_keys(node, "ssh", {"interactive", "command", "scp", "sftp", "rsync"}))
    return err;
  for (const auto& kv : node) {
    const std::string& key = kv.first.Scalar();
    auto b = ctx.boolean(kv.second, "ssh." + key);
    if (!b) return b.take_error();
    auto& slot = key == "interactive" ? s.ssh_interactive
                 : key == "command" ? s.ssh_command
                 : key == "scp"   ? s.ssh_scp
                 : key == "sftp"  ? s.ssh_sftp
                                  : s.ssh_rsync;
    slot = *b;
  }
  return std::nullopt;
}

std::optional<Error> load_logging(const YamlContext& ctx, const Node& node, SessionSpec& s) {
  if (!node.IsMap())
    return ctx.error(node,
                     "'logging' must be a mapping with keys facility, ident, rate_limit, "
                     "kernel_denials");
  if (auto err = ctx.check_keys(node, "logging",
                                {"facility", "ident", "rate_limit", "kernel_denials"}))
    return err;
  for (const auto& kv : node) {
    const std::string& key = kv.first.Scalar();
    if (key == "facility") {
      auto name = ctx.string(kv.second, "logging.facility");
      if (!name) return name.take_error();
      std::optional<int> value;
      for (const auto& f : kFacilities) {
        if (f.name == *name) value = f.value;
      }
      if (!value)
        return ctx.error(kv.second,
                         "unknown syslog facility '" + *name +
                             "' (expected auth, authpriv, daemon, user or local0..local7)");
      s.log_facility = value;
    } else if (key == "ident") {
      auto ident = ctx.string(kv.second, "logging.ident");
      if (!ident) return ident.take_error();
      if (ident->empty() || ident->size() > 32)
        return ctx.error(kv.second, "'logging.ident' must be 1 to 32 characters");
      s.log_ident = *ident;
    } else if (key == "kernel_denials") {
      auto text = ctx.string(kv.second, "logging.kernel_denials");
      if (!text) return text.take_error();
      if (*text == "audit") {
        s.kernel_denials = KernelDenials::audit;
      } else if (*text == "supervisor") {
        s.kernel_denials = KernelDenials::supervisor;
      } else if (*text == "unrecorded") {
        s.kernel_denials = KernelDenials::unrecorded;
      } else {
        return ctx.error(kv.second, "'logging.kernel_denials' must be audit, supervisor or "
                                    "unrecorded, not '" + *text + "'");
      }
    } else {
      if (!kv.second.IsMap())
        return ctx.error(kv.second,
                         "'logging.rate_limit' must be a mapping with keys burst, interval");
      if (auto err = ctx.check_keys(kv.second, "rate_limit", {"burst", "interval"})) return err;
      for (const auto& rl : kv.second) {
        if (rl.first.Scalar() == "burst") {
          auto burst = ctx.integer(rl.second, "rate_limit.burst", 100000);
          if (!burst) return burst.take_error();
          if (*burst == 0) return ctx.error(rl.second, "'rate_limit.burst' must be at least 1");
          s.log_burst = static_cast<unsigned>(*burst);
        } else {
          auto text = ctx.string(rl.second, "rate_limit.interval");
          if (!text) return text.take_error();
          auto d = parse_duration(*text);
          if (!d) return ctx.error(rl.second, "rate_limit.interval: " + d.error().message);
          if (*d == 0) return ctx.error(rl.second, "'rate_limit.interval' must be at least 1s");
          s.log_interval_s = *d;
        }
      }
    }
  }
  return std::nullopt;
}

std::optional<Error> load_key(const YamlContext& ctx, const std::string& key, const Node& value,
                              SessionSpec& s) {
  if (key == "umask") {
    auto text = ctx.string(value, "umask");
    if (!text) return text.take_error();
    auto mask = parse_umask(*text);
    if (!mask) return ctx.error(value, "umask: " + mask.error().message);
    s.umask = *mask;
  } else if (key == "warning_limit" || key == "history_size") {
    auto n = ctx.integer(value, key, 1000000);
    if (!n) return n.take_error();
    (key == "warning_limit" ? s.warning_limit : s.history_size) = static_cast<unsigned>(*n);
  } else if (key == "timeout") {
    auto text = ctx.string(value, "timeout");
    if (!text) return text.take_error();
    auto d = parse_duration(*text);
    if (!d) return ctx.error(value, "timeout: " + d.error().message);
    s.timeout_s = *d;
  } else if (key == "banner" || key == "prompt") {
    auto text = ctx.string(value, key);
    if (!text) return text.take_error();
    (key == "banner" ? s.banner : s.prompt) = *text;
  } else if (key == "directory") {
    auto text = ctx.expanded(value, "directory");
    if (!text) return text.take_error();
    if (text->empty() || text->front() != '/')
      return ctx.error(value, "'directory' must be an absolute path (e.g. $HOME/upload)");
    s.directory = *text;
  } else if (key == "mode") {
    auto text = ctx.string(value, "mode");
    if (!text) return text.take_error();
    if (*text == "enforce")
      s.mode = Mode::enforce;
    else if (*text == "audit")
      s.mode = Mode::audit;
    else if (*text == "learn")
      // Learning is stsh-policy learn, which writes a draft; a policy that said "learn" would
      // run with less confinement than it says (issue 8.7, 13): refuse it.
      return ctx.error(value,
                       "mode 'learn' is refused: a policy never runs a program with less "
                       "confinement than it says; write a draft policy with 'stsh-policy learn' "
                       "(from a run, or from audit records), or use 'audit' to try a policy (it "
                       "permits everything and logs what enforce would deny)");
    else
      return ctx.error(value, "unknown mode '" + *text + "' (expected enforce or audit)");
  } else if (key == "env") {
    return load_env(ctx, value, s);
  } else if (key == "limits") {
    return load_limits(ctx, value, s);
  } else if (key == "ssh") {
    return load_ssh(ctx, value, s);
  } else {
    return load_logging(ctx, value, s);
  }
  return std::nullopt;
}

}  // namespace

Result<SessionSpec> load_session(const YamlContext& ctx, const Node& node) {
  SessionSpec s;
  if (node.IsNull()) return s;
  if (!node.IsMap())
    return ctx.error(node, "'session' must be a mapping, not " + std::string(node_kind(node)));
  if (auto err = ctx.check_keys(node, "session",
                                {"umask", "warning_limit", "timeout", "banner", "history_size",
                                 "prompt", "directory", "env", "limits", "ssh", "mode",
                                 "logging"})) {
    return *err;
  }
  for (const auto& kv : node) {
    if (auto err = load_key(ctx, kv.first.Scalar(), kv.second, s)) return *err;
  }
  return s;
}

}  // namespace stsh::policy
