#include "policy/policy_set.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "policy/loader.h"
#include "policy/paths.h"

namespace stsh::policy {
namespace {

std::string join(const std::string& dir, const std::string& rel) {
  return dir.empty() || dir.back() == '/' ? dir + rel : dir + "/" + rel;
}

// nullopt if the file does not exist; an error if it exists but stat fails otherwise.
Result<bool> exists(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) == 0) return true;
  if (errno == ENOENT) return false;
  return make_error({path, 0, 0}, std::string("cannot check policy file: ") + std::strerror(errno));
}

class SetLoader {
 public:
  SetLoader(const std::string& dir, Trust trust, const Variables& vars, const CacheUse& cache)
      : dir_(dir), trust_(trust), vars_(vars), cache_(cache) {}

  std::optional<Error> load(const std::string& path) {
    stack_.push_back(path);
    auto text = read_policy_file(path, dir_, trust_);
    if (!text) return text.take_error();
    auto doc = load_document(*text, path, vars_, cache_);
    if (!doc) return doc.take_error();
    for (const auto& inc : doc->includes) {
      const std::string target = *lexically_normal(join(dir_, inc.text));
      for (const auto& open : stack_) {
        if (open == target) return make_error(inc.where, "include cycle: " + cycle_text(target));
      }
      if (done_.count(target)) continue;  // a diamond, not a cycle: load once
      auto present = exists(target);
      if (!present) return make_error(inc.where, present.error().message + " (" + target + ")");
      if (!*present) return make_error(inc.where, "included file " + target + " does not exist");
      if (auto err = load(target)) return err;
    }
    stack_.pop_back();
    done_.insert(path);
    docs_.push_back(std::move(*doc));
    return std::nullopt;
  }

  std::vector<Document> take() { return std::move(docs_); }

 private:
  std::string cycle_text(const std::string& target) const {
    std::string out;
    bool in_cycle = false;
    for (const auto& p : stack_) {
      in_cycle = in_cycle || p == target;
      if (in_cycle) out += display(p) + " -> ";
    }
    return out + display(target);
  }
  std::string display(const std::string& p) const {
    const std::string prefix = join(dir_, "");
    return p.compare(0, prefix.size(), prefix) == 0 ? p.substr(prefix.size()) : p;
  }

  const std::string& dir_;
  Trust trust_;
  const Variables& vars_;
  const CacheUse& cache_;
  std::vector<std::string> stack_;
  std::set<std::string> done_;
  std::vector<Document> docs_;
};

}  // namespace

Result<std::string> select_policy_file(const std::string& policy_dir, const UserInfo& user) {
  std::vector<std::string> candidates{join(policy_dir, "users/" + user.name + ".yaml")};
  for (const auto& g : user.groups) candidates.push_back(join(policy_dir, "groups/" + g + ".yaml"));
  candidates.push_back(join(policy_dir, "default.yaml"));
  for (const auto& c : candidates) {
    auto present = exists(c);
    if (!present) return present.take_error();
    if (*present) return c;
  }
  return make_error({policy_dir, 0, 0}, "no policy for user '" + user.name + "': none of users/" +
                                            user.name +
                                            ".yaml, groups/<group>.yaml or default.yaml exists");
}

std::string policy_dir_for_file(const std::string& file, const std::string& configured_dir) {
  const std::string base = join(configured_dir, "");
  if (file.compare(0, base.size(), base) == 0) return configured_dir;
  const size_t slash = file.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : file.substr(0, slash);
}

Result<std::vector<Document>> load_policy_set(const std::string& file,
                                              const std::string& policy_dir, Trust trust,
                                              const Variables& vars, const CacheUse& cache) {
  SetLoader loader(policy_dir, trust, vars, cache);
  if (auto err = loader.load(file)) return *err;
  return loader.take();
}

}  // namespace stsh::policy
