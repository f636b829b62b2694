#include "policy/compiler.h"

#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <unordered_map>

#include "policy/command_merge.h"
#include "policy/entry_checks.h"
#include "policy/glob.h"
#include "policy/paths.h"
#include "policy/policy_set.h"
#include "policy/symlinks.h"
#include "stsh_config.h"

namespace stsh::policy {

namespace {

bool is_glob_key(const std::string& text) {
  return text.find_first_of("*?[\\") != std::string::npos;
}

}  // namespace

class PlanCompiler {
 public:
  Result<std::shared_ptr<const Plan>> compile(std::vector<Document> docs) {
    std::shared_ptr<Plan> plan(new Plan());
    plan->session_.logging.facility = LOG_AUTHPRIV;
    Section defaults;
    size_t total = 0;
    for (const auto& doc : docs) total += doc.commands.size();
    // Canonical key -> index in commands: a linear scan here was quadratic (issue 12.5). The
    // views point into the Documents' keys, which do not move.
    std::vector<MergedCommand> commands;
    commands.reserve(total);
    std::unordered_map<std::string_view, size_t> by_key;
    by_key.reserve(total);
    for (auto& doc : docs) {
      plan->files_.push_back(doc.path);
      merge_session(doc.session, plan->session_);
      if (doc.defaults) merge_defaults(std::move(*doc.defaults), defaults);
      for (auto& c : doc.commands) {
        const std::string written = c.key.text;
        resolve_key(c.key, "command", plan->notes_);
        auto it = by_key.find(c.key.text);
        if (it == by_key.end()) {
          if (c.extend) {
            const std::string canonical =
                written != c.key.text ? " (" + c.key.text + ")" : std::string();
            return make_error(c.extend->where,
                              "'extend: true', but nothing earlier in the set defines command '" +
                                  written + "'" + canonical);
          }
          std::string differs = written == c.key.text ? "" : written;
          commands.push_back(MergedCommand{&c, std::move(differs), nullptr});
          by_key.emplace(c.key.text, commands.size() - 1);
          continue;
        }
        MergedCommand& first = commands[it->second];
        if (!c.extend) return duplicate_error(c, written, first);
        extend_entry(first, std::move(c));
      }
    }
    if (auto err = build(*plan, defaults, commands)) return *err;
    return std::shared_ptr<const Plan>(std::move(plan));
  }

 private:
  using ListPtr = std::shared_ptr<const CompactList>;

  // An exact path naming a symlink is replaced by the link's canonical target, with a note.
  void resolve_key(Entry& e, std::string_view what, std::vector<std::string>& notes) {
    if (is_glob_key(e.text) || e.text == kCommandsToken) return;
    const Resolution r = resolver_.resolve(e.text);
    if (r.kind == Resolution::Kind::resolved) {
      notes.push_back(origin_text(e.where) + ": note: " + std::string(what) + " " + e.text +
                      " is a symlink to " + r.path + ": the entry applies to that");
      e.text = r.path;
    } else if (r.kind == Resolution::Kind::untrusted) {
      notes.push_back(origin_text(e.where) + ": note: " + std::string(what) + " " + e.text +
                      ": symlink " + r.path + " not followed (" + r.why +
                      "); the entry matches only a program whose real path is " + e.text);
    }
  }

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
    if (s.kernel_denials) out.logging.kernel_denials = *s.kernel_denials;
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
    merge(into.hide, from.hide);
    into.rules.insert(into.rules.end(), std::make_move_iterator(from.rules.begin()),
                      std::make_move_iterator(from.rules.end()));
  }

  static ListPtr make_list(CompactList::Kind kind,
                           const std::optional<std::vector<Entry>>& entries) {
    return std::make_shared<const CompactList>(kind, entries ? *entries : std::vector<Entry>{});
  }

  void resolve_exec(std::optional<std::vector<Entry>>& list, std::vector<std::string>& notes) {
    if (!list) return;
    for (auto& e : *list) resolve_key(e, "exec entry", notes);
  }

  std::optional<Error> build(Plan& plan, Section& defaults, std::vector<MergedCommand>& commands) {
    using K = CompactList::Kind;
    resolve_exec(defaults.exec, plan.notes_);
    const ListPtr read = make_list(K::paths, defaults.read),
                  write = make_list(K::paths, defaults.write),
                  exec = make_list(K::paths, defaults.exec),
                  connect = make_list(K::addresses, defaults.connect),
                  bind = make_list(K::addresses, defaults.bind);
    const ListPtr inherited[] = {read, write, exec, connect, bind};
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
    plan.hide_ = make_list(K::paths, defaults.hide);

    const auto n = static_cast<uint32_t>(commands.size());
    for (uint32_t i = 0; i < n; ++i) {
      MergedCommand& m = commands[i];
      resolve_exec(m.spec->section.exec, plan.notes_);
      if (m.ext) {
        for (auto& e : m.ext->added[kExecList]) resolve_key(e, "exec entry", plan.notes_);
        for (auto& e : m.ext->removed[kExecList]) resolve_key(e, "exec entry", plan.notes_);
      }
      const CommandSpec& spec = *m.spec;
      auto c = std::make_unique<CommandPolicy>();
      c->key_ = spec.key.text;
      plan.origins_.push_back(origin_text(spec.key.where));
      c->origin_ = plan.origins_.back();
      std::array<ListPtr, 5> lists;
      for (size_t k = 0; k < lists.size(); ++k) {
        auto l = merged_list(m, k, defaults, inherited[k]);
        if (!l) return l.take_error();
        lists[k] = std::move(*l);
      }
      c->read_ = lists[0], c->write_ = lists[1], c->exec_ = lists[2], c->connect_ = lists[3],
      c->bind_ = lists[4];
      c->own_rules_ = spec.section.rules.empty()
                          ? no_rules
                          : std::make_shared<const RuleSet>(spec.section.rules);
      c->default_rules_ = default_rules;
      if (m.ext) plan.notes_.push_back(merged_entry_note(m, *c));
      plan.commands_.push_back(std::move(c));
      const bool is_glob = is_glob_key(spec.key.text);
      plan.command_keys_.add(is_glob ? MatchKind::glob : MatchKind::exact, spec.key.text,
                             is_glob ? n + i : i);
    }
    return std::nullopt;
  }

  static constexpr std::string_view kLoginOrigin = "(login)";
  SymlinkResolver resolver_;
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
  const TreeCache cache(request.tree_cache_dir.empty() ? STSH_TREE_CACHE_DIR
                                                       : request.tree_cache_dir);
  const CacheUse use{&cache, request.store_trees, request.cache_report};
  auto docs = load_policy_set(file, dir, request.trust, Variables::for_user(user), use);
  if (!docs) return docs.take_error();
  return compile_plan(std::move(*docs));
}

}  // namespace stsh::policy
