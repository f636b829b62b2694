#include "policy/compiler.h"

#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "policy/glob.h"
#include "policy/paths.h"
#include "policy/policy_set.h"
#include "stsh_config.h"

namespace stsh::policy {

class PlanCompiler {
 public:
  Result<std::shared_ptr<const Plan>> compile(std::vector<Document> docs) {
    std::shared_ptr<Plan> plan(new Plan());
    plan->session_.logging.facility = LOG_AUTHPRIV;
    Section defaults;
    std::vector<CommandSpec> commands;
    for (auto& doc : docs) {
      plan->files_.push_back(doc.path);
      merge_session(doc.session, plan->session_);
      if (doc.defaults) merge_defaults(std::move(*doc.defaults), defaults);
      for (auto& c : doc.commands) {
        for (const auto& seen : commands) {
          if (seen.key.text == c.key.text) {
            const auto& w = seen.key.where;
            return make_error(c.key.where, "duplicate command '" + c.key.text +
                                               "' (first defined at " + w.file + ":" +
                                               std::to_string(w.line) + ":" +
                                               std::to_string(w.column) + ")");
          }
        }
        commands.push_back(std::move(c));
      }
    }
    build(*plan, defaults, commands);
    return std::shared_ptr<const Plan>(std::move(plan));
  }

 private:
  using ListPtr = std::shared_ptr<const CompactList>;

  static void merge_session(const SessionSpec& s, Session& out) {
    if (s.umask) out.umask = *s.umask;
    if (s.warning_limit) out.warning_limit = *s.warning_limit;
    if (s.history_size) out.history_size = *s.history_size;
    if (s.timeout_s) out.timeout_s = *s.timeout_s;
    if (s.banner) out.banner = *s.banner;
    if (s.prompt) out.prompt = *s.prompt;
    auto add_unique = [](std::vector<std::string>& to, const std::vector<std::string>& from) {
      for (const auto& v : from) {
        if (std::find(to.begin(), to.end(), v) == to.end()) to.push_back(v);
      }
    };
    add_unique(out.env.keep, s.env_keep);
    add_unique(out.env.unset, s.env_unset);
    for (const auto& var : s.env_set) {
      auto it = std::find_if(out.env.set.begin(), out.env.set.end(),
                             [&](auto& kv) { return kv.first == var.first; });
      if (it != out.env.set.end())
        it->second = var.second;
      else
        out.env.set.push_back(var);
    }
    for (const auto& limit : s.limits) {
      auto it = std::find_if(out.limits.begin(), out.limits.end(),
                             [&](auto& l) { return l.resource == limit.resource; });
      if (it != out.limits.end())
        *it = limit;
      else
        out.limits.push_back(limit);
    }
    if (s.ssh_interactive) out.ssh.interactive = *s.ssh_interactive;
    if (s.directory) out.directory = *s.directory;
    if (s.ssh_command) out.ssh.command = *s.ssh_command;
    if (s.ssh_scp) out.ssh.scp = *s.ssh_scp;
    if (s.ssh_sftp) out.ssh.sftp = *s.ssh_sftp;
    if (s.ssh_rsync) out.ssh.rsync = *s.ssh_rsync;
    if (s.mode) out.mode = *s.mode;
    if (s.log_facility) out.logging.facility = *s.log_facility;
    if (s.log_ident) out.logging.ident = *s.log_ident;
    if (s.log_burst) out.logging.burst = *s.log_burst;
    if (s.log_interval_s) out.logging.interval_s = *s.log_interval_s;
  }

  // defaults: of every file are one section: lists are unions, rules run in merge order.
  static void merge_defaults(Section from, Section& into) {
    auto merge = [](std::optional<std::vector<Entry>>& to,
                    std::optional<std::vector<Entry>>& from) {
      if (!from) return;
      if (!to) to.emplace();
      to->insert(to->end(), std::make_move_iterator(from->begin()),
                 std::make_move_iterator(from->end()));
    };
    merge(into.read, from.read);
    merge(into.write, from.write);
    merge(into.exec, from.exec);
    merge(into.connect, from.connect);
    merge(into.bind, from.bind);
    into.rules.insert(into.rules.end(), std::make_move_iterator(from.rules.begin()),
                      std::make_move_iterator(from.rules.end()));
  }

  static ListPtr make_list(CompactList::Kind kind,
                           const std::optional<std::vector<Entry>>& entries) {
    return std::make_shared<const CompactList>(kind, entries ? *entries : std::vector<Entry>{});
  }

  static ListPtr own_or(const std::optional<std::vector<Entry>>& own, const ListPtr& inherited,
                        CompactList::Kind kind) {
    return own ? make_list(kind, own) : inherited;
  }

  void build(Plan& plan, const Section& defaults, const std::vector<CommandSpec>& commands) {
    using K = CompactList::Kind;
    const ListPtr read = make_list(K::paths, defaults.read),
                  write = make_list(K::paths, defaults.write),
                  exec = make_list(K::paths, defaults.exec),
                  connect = make_list(K::addresses, defaults.connect),
                  bind = make_list(K::addresses, defaults.bind);
    const auto default_rules = std::make_shared<const RuleSet>(defaults.rules);
    const auto no_rules = std::make_shared<const RuleSet>();

    auto login = std::make_unique<CommandPolicy>();
    login->key_ = "(login)";
    login->origin_ = kLoginOrigin;
    login->is_login_ = true;
    login->read_ = read, login->write_ = write, login->connect_ = connect, login->bind_ = bind;
    login->exec_ =
        make_list(K::paths, std::nullopt);  // the login starts commands, see Plan::decide
    login->own_rules_ = no_rules;
    login->default_rules_ = default_rules;
    plan.login_ = std::move(login);

    const auto n = static_cast<uint32_t>(commands.size());
    for (uint32_t i = 0; i < n; ++i) {
      const CommandSpec& spec = commands[i];
      auto c = std::make_unique<CommandPolicy>();
      c->key_ = spec.key.text;
      plan.origins_.push_back(origin_text(spec.key.where));
      c->origin_ = plan.origins_.back();
      c->read_ = own_or(spec.section.read, read, K::paths);
      c->write_ = own_or(spec.section.write, write, K::paths);
      c->exec_ = own_or(spec.section.exec, exec, K::paths);
      c->connect_ = own_or(spec.section.connect, connect, K::addresses);
      c->bind_ = own_or(spec.section.bind, bind, K::addresses);
      c->own_rules_ = spec.section.rules.empty()
                          ? no_rules
                          : std::make_shared<const RuleSet>(spec.section.rules);
      c->default_rules_ = default_rules;
      plan.commands_.push_back(std::move(c));
      const bool is_glob = spec.key.text.find_first_of("*?[\\") != std::string::npos;
      plan.command_keys_.add(is_glob ? MatchKind::glob : MatchKind::exact, spec.key.text,
                             is_glob ? n + i : i);
    }
  }

  static constexpr std::string_view kLoginOrigin = "(login)";
};

Result<std::shared_ptr<const Plan>> compile_plan(std::vector<Document> docs) {
  return PlanCompiler().compile(std::move(docs));
}

Result<std::shared_ptr<const Plan>> load_plan(const PlanRequest& request, const UserInfo& user) {
  auto absolute = [](const std::string& p) {
    return *lexically_normal(std::filesystem::absolute(p).string());
  };
  std::string dir = request.policy_dir;
  std::string file = request.file;
  if (!file.empty()) {
    file = absolute(file);
    if (dir.empty()) dir = policy_dir_for_file(file, STSH_POLICY_DIR);
  }
  if (dir.empty()) dir = STSH_POLICY_DIR;
  dir = absolute(dir);
  if (file.empty()) {
    auto selected = select_policy_file(dir, user);
    if (!selected) return selected.take_error();
    file = *selected;
  }
  auto docs = load_policy_set(file, dir, request.trust, Variables::for_user(user));
  if (!docs) return docs.take_error();
  return compile_plan(std::move(*docs));
}

}  // namespace stsh::policy
