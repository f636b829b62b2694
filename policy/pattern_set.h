// A set of patterns, each tagged with a rule id; a lookup returns the smallest id among the
// patterns that match. This is what makes rule and allow-list checks independent of the number
// and order of rules.
//
// The patterns are merged into one character-level trie of glob tokens (patterns with a common
// token prefix share nodes), and a lookup runs the trie as an NFA over the subject. A purely
// literal trie keeps at most one active node, so its lookups are a plain trie descent costing
// O(subject length) whatever the number of patterns; every `*`, class or `**` branch that stays
// alive adds one active node. Nodes that can no longer beat the best id found so far are
// dropped, and the lookup stops as soon as no node is left.
#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "policy/glob.h"

namespace stsh::policy {

enum class MatchKind : uint8_t {
  exact,         // `eq`: subject == pattern (pattern is literal, no glob meaning)
  prefix,        // `inpath`: subject == pattern or subject starts with pattern + "/"
                 // (pattern literal, trailing '/' ignored; "/" matches everything absolute)
  glob,          // compact-list entry: whole-subject glob match
  glob_subtree,  // `match`: glob with FNM_LEADING_DIR (also matches everything below)
};

class PatternSet {
 public:
  // Glob kinds: the pattern should have passed validate_glob; one that does not parse matches
  // nothing. id must be below UINT32_MAX.
  void add(MatchKind kind, std::string_view pattern, uint32_t id);

  // The smallest id whose pattern matches `subject`. Thread-compatible: concurrent lookups on
  // one const set are safe (the scratch space is thread_local).
  std::optional<uint32_t> first_match(std::string_view subject) const;
  // Whether some pattern matches a path strictly below directory `dir` ("/home" for
  // "/home/alice/**"): the automaton is still alive after "dir/".
  bool matches_below(std::string_view dir) const;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;

  enum class Loop : uint8_t {
    none,
    not_slash,  // a `*` node: stays active on every byte but '/'
    any,        // the inside of a "/**": stays active on every byte
  };

  struct Node {
    uint32_t accept_exact = kNone;    // min id of the patterns ending here
    uint32_t accept_subtree = kNone;  // same, accepting also whatever follows a '/'
    uint32_t min_reach = kNone;       // min id of any pattern through here (for pruning)
    uint32_t lit_child = kNone;       // the first literal child; further ones are in edges_
    uint32_t extra = kNone;           // index into extras_, for the rarer kinds of edge
    uint16_t lit_count = 0;
    unsigned char lit_char = 0;
    Loop loop = Loop::none;
  };

  struct ClassEdge {
    uint32_t set;  // index into classes_
    uint32_t child;
  };

  struct Extra {
    uint32_t star = kNone;      // epsilon edge to a Loop::not_slash node
    uint32_t globstar = kNone;  // '/' edge to a Loop::any node
    uint32_t cont = kNone;      // (Loop::any nodes) epsilon edge to where the pattern continues;
                                // the node owning the globstar edge reaches it directly as well
    std::vector<ClassEdge> classes;
  };

  // Open-addressing map (node << 8 | byte) -> child for nodes with several literal children.
  // One table for the whole trie keeps nodes small; most nodes have one child at most.
  class EdgeMap {
   public:
    uint32_t find(uint64_t key) const;
    void insert(uint64_t key, uint32_t child);

   private:
    struct Slot {
      uint64_t key;
      uint32_t child;
    };
    static constexpr uint64_t kEmpty = UINT64_MAX;
    std::vector<Slot> slots_;
    size_t used_ = 0;
  };

  struct Walk;  // the state of one lookup, in pattern_set.cc

  uint32_t literal_child(uint32_t node, unsigned char c) const;
  uint32_t new_node(Loop loop);
  uint32_t extra_of(uint32_t node);
  uint32_t child_for(uint32_t node, const GlobToken& token, uint32_t id);

  std::vector<Node> nodes_ = std::vector<Node>(1);  // nodes_[0] is the root (empty prefix)
  std::vector<Extra> extras_;
  std::vector<std::bitset<256>> classes_;
  EdgeMap edges_;
  uint32_t slash_root_ = kNone;  // min id of `prefix` / `glob_subtree` patterns that are "/"
  size_t size_ = 0;
};

}  // namespace stsh::policy
