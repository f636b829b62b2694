#include "policy/pattern_set.h"

#include <string>

#include <algorithm>
#include <cassert>

namespace stsh::policy {
namespace {

using Kind = GlobToken::Kind;

uint64_t edge_key(uint32_t node, unsigned char c) {
  return (uint64_t{node} << 8) | c;
}

// Multiplying spreads the key into the high bits; folding them down makes every key bit count
// for the low bits the mask keeps.
size_t slot_of(uint64_t key, size_t mask) {
  const uint64_t h = key * 0x9E3779B97F4A7C15ull;
  return static_cast<size_t>(h ^ (h >> 32)) & mask;
}

// Per-thread lookup buffers, reused so that a lookup allocates nothing once warm. stamp[node]
// holds the generation that last activated the node: a new generation per subject byte makes
// "is it active already?" O(1) without clearing anything.
struct Scratch {
  std::vector<uint32_t> stamp;
  uint32_t generation = 0;
  std::vector<uint32_t> current, next;

  uint32_t next_generation() {
    if (++generation == 0) {  // wrapped: old stamps could collide, forget them
      std::fill(stamp.begin(), stamp.end(), 0);
      generation = 1;
    }
    return generation;
  }
};

}  // namespace

uint32_t PatternSet::EdgeMap::find(uint64_t key) const {
  if (slots_.empty()) return kNone;
  const size_t mask = slots_.size() - 1;
  for (size_t i = slot_of(key, mask);; i = (i + 1) & mask) {
    if (slots_[i].key == key) return slots_[i].child;
    if (slots_[i].key == kEmpty) return kNone;
  }
}

void PatternSet::EdgeMap::insert(uint64_t key, uint32_t child) {
  if (2 * (used_ + 1) > slots_.size()) {  // keep the load at most 1/2 so probes stay short
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(std::max<size_t>(16, 2 * old.size()), Slot{kEmpty, kNone});
    used_ = 0;
    for (const Slot& s : old) {
      if (s.key != kEmpty) insert(s.key, s.child);
    }
  }
  const size_t mask = slots_.size() - 1;
  size_t i = slot_of(key, mask);
  while (slots_[i].key != kEmpty && slots_[i].key != key) i = (i + 1) & mask;
  if (slots_[i].key == kEmpty) ++used_;
  slots_[i] = Slot{key, child};
}

uint32_t PatternSet::literal_child(uint32_t node, unsigned char c) const {
  const Node& n = nodes_[node];
  if (n.lit_count == 0) return kNone;
  if (n.lit_char == c) return n.lit_child;
  return n.lit_count > 1 ? edges_.find(edge_key(node, c)) : kNone;
}

uint32_t PatternSet::new_node(Loop loop) {
  nodes_.push_back(Node{});
  nodes_.back().loop = loop;
  return static_cast<uint32_t>(nodes_.size() - 1);
}

uint32_t PatternSet::extra_of(uint32_t node) {
  if (nodes_[node].extra == kNone) {
    extras_.emplace_back();
    nodes_[node].extra = static_cast<uint32_t>(extras_.size() - 1);
  }
  return nodes_[node].extra;
}

// The node reached from `node` over `token`, created if missing. Works with indices only:
// creating nodes or extras moves the vectors.
uint32_t PatternSet::child_for(uint32_t node, const GlobToken& token, uint32_t id) {
  uint32_t child = kNone;
  switch (token.kind) {
    case Kind::literal: {
      child = literal_child(node, token.ch);
      if (child != kNone) break;
      child = new_node(Loop::none);
      Node& n = nodes_[node];
      if (n.lit_count == 0) {
        n.lit_char = token.ch;
        n.lit_child = child;
      } else {
        edges_.insert(edge_key(node, token.ch), child);
      }
      ++n.lit_count;
      break;
    }
    case Kind::char_class: {
      const uint32_t e = extra_of(node);
      for (const ClassEdge& edge : extras_[e].classes) {
        if (classes_[edge.set] == token.set) child = edge.child;
      }
      if (child != kNone) break;
      child = new_node(Loop::none);
      classes_.push_back(token.set);
      extras_[e].classes.push_back({static_cast<uint32_t>(classes_.size() - 1), child});
      break;
    }
    case Kind::star: {
      const uint32_t e = extra_of(node);
      if (extras_[e].star == kNone) {
        const uint32_t s = new_node(Loop::not_slash);
        extras_[e].star = s;
      }
      child = extras_[e].star;
      break;
    }
    case Kind::globstar: {
      const uint32_t e = extra_of(node);
      if (extras_[e].globstar == kNone) {
        const uint32_t loop = new_node(Loop::any);
        const uint32_t cont = new_node(Loop::none);
        extras_[extra_of(loop)].cont = cont;
        extras_[e].globstar = loop;
      }
      const uint32_t loop = extras_[e].globstar;
      nodes_[loop].min_reach = std::min(nodes_[loop].min_reach, id);
      child = extras_[nodes_[loop].extra].cont;
      break;
    }
  }
  nodes_[child].min_reach = std::min(nodes_[child].min_reach, id);
  return child;
}

void PatternSet::add(MatchKind kind, std::string_view pattern, uint32_t id) {
  assert(id != kNone);
  ++size_;
  bool subtree = kind == MatchKind::prefix || kind == MatchKind::glob_subtree;
  std::vector<GlobToken> tokens;
  if (kind == MatchKind::exact || kind == MatchKind::prefix) {
    if (kind == MatchKind::prefix) {
      while (pattern.size() > 1 && pattern.back() == '/') pattern.remove_suffix(1);
    }
    tokens.reserve(pattern.size());
    for (char c : pattern) {
      tokens.push_back(GlobToken{Kind::literal, static_cast<unsigned char>(c), {}});
    }
  } else {
    auto parsed = parse_glob(pattern);
    if (!parsed) return;  // broken precondition: match nothing rather than guess a meaning
    tokens = std::move(*parsed);
  }

  const GlobToken slash{Kind::literal, '/', {}};
  if (subtree && tokens.size() == 1 && tokens[0] == slash) {
    slash_root_ = std::min(slash_root_, id);
    return;
  }
  // "/**" at the end matches "" or '/' followed by anything: exactly a subtree accept, which
  // also keeps such patterns from holding a node active up to the end of every subject.
  while (!tokens.empty() && tokens.back().kind == Kind::globstar) {
    tokens.pop_back();
    subtree = true;
  }

  uint32_t node = 0;
  nodes_[0].min_reach = std::min(nodes_[0].min_reach, id);
  for (const GlobToken& t : tokens) node = child_for(node, t, id);
  uint32_t& accept = subtree ? nodes_[node].accept_subtree : nodes_[node].accept_exact;
  accept = std::min(accept, id);
}

struct PatternSet::Walk {
  const PatternSet& set;
  uint32_t* stamp;
  uint32_t generation = 0;
  uint32_t best = kNone;

  bool plain(uint32_t node) const {
    const Node& n = set.nodes_[node];
    return n.loop == Loop::none && n.extra == kNone;
  }

  // Activates `node` unless it is active already or nothing below it can beat `best`.
  void push(std::vector<uint32_t>& active, uint32_t node) {
    if (node == kNone || set.nodes_[node].min_reach >= best || stamp[node] == generation) return;
    stamp[node] = generation;
    active.push_back(node);
  }

  // Epsilon closure of active[from..]; the list doubles as the work queue.
  void close(std::vector<uint32_t>& active, size_t from) {
    for (size_t k = from; k < active.size(); ++k) {
      const Node& n = set.nodes_[active[k]];
      if (n.extra == kNone) continue;
      const Extra& e = set.extras_[n.extra];
      push(active, e.star);
      // The empty alternative of "/**": skip straight to what follows it.
      if (e.globstar != kNone) push(active, set.extras_[set.nodes_[e.globstar].extra].cont);
      push(active, e.cont);
    }
  }

  // Records the accepts of the active nodes at subject position i.
  void accept(const std::vector<uint32_t>& active, std::string_view s, size_t i) {
    const bool at_end = i == s.size();
    if (!at_end && s[i] != '/') return;
    for (uint32_t id : active) {
      best = std::min(best, set.nodes_[id].accept_subtree);
      if (at_end) best = std::min(best, set.nodes_[id].accept_exact);
    }
  }

  void step(const std::vector<uint32_t>& current, std::vector<uint32_t>& next, unsigned char c) {
    for (uint32_t id : current) {
      const Node& n = set.nodes_[id];
      if (n.min_reach >= best) continue;
      if (n.loop == Loop::any || (n.loop == Loop::not_slash && c != '/')) push(next, id);
      if (n.lit_count != 0) push(next, set.literal_child(id, c));
      if (n.extra == kNone) continue;
      const Extra& e = set.extras_[n.extra];
      for (const ClassEdge& edge : e.classes) {
        if (set.classes_[edge.set].test(c)) push(next, edge.child);
      }
      if (c == '/') push(next, e.globstar);
    }
    close(next, 0);
  }

  // While the only active node is plain, matching is a trie descent: no closure, no dedupe.
  // For literal patterns this is the whole lookup. Returns the first node that is not plain,
  // reached at s[i], or kNone once nothing is left to find.
  uint32_t descend(uint32_t node, std::string_view s, size_t& i) {
    while (plain(node)) {
      const Node& n = set.nodes_[node];
      const bool at_end = i == s.size();
      if (at_end || s[i] == '/') best = std::min(best, n.accept_subtree);
      if (at_end) {
        best = std::min(best, n.accept_exact);
        return kNone;
      }
      node = set.literal_child(node, static_cast<unsigned char>(s[i++]));
      if (node == kNone || set.nodes_[node].min_reach >= best) return kNone;
    }
    return node;
  }
};

std::optional<uint32_t> PatternSet::first_match(std::string_view subject) const {
  thread_local Scratch scratch;
  if (scratch.stamp.size() < nodes_.size()) scratch.stamp.resize(nodes_.size(), 0);
  std::vector<uint32_t>& current = scratch.current;
  std::vector<uint32_t>& next = scratch.next;

  Walk walk{*this, scratch.stamp.data()};
  if (!subject.empty() && subject.front() == '/') walk.best = slash_root_;
  current.clear();
  walk.generation = scratch.next_generation();
  walk.push(current, 0);
  walk.close(current, 0);
  size_t i = 0;
  while (!current.empty()) {
    if (current.size() == 1 && walk.plain(current.front())) {
      const uint32_t node = walk.descend(current.front(), subject, i);
      current.clear();
      walk.generation = scratch.next_generation();
      walk.push(current, node);
      walk.close(current, 0);
      continue;
    }
    walk.accept(current, subject, i);
    if (i == subject.size()) break;
    walk.generation = scratch.next_generation();
    next.clear();
    walk.step(current, next, static_cast<unsigned char>(subject[i++]));
    current.swap(next);
  }
  if (walk.best == kNone) return std::nullopt;
  return walk.best;
}

bool PatternSet::matches_below(std::string_view dir) const {
  std::string subject(dir);
  if (subject.empty() || subject.back() != '/') subject += '/';
  thread_local Scratch scratch;
  if (scratch.stamp.size() < nodes_.size()) scratch.stamp.resize(nodes_.size(), 0);
  std::vector<uint32_t>& current = scratch.current;
  std::vector<uint32_t>& next = scratch.next;

  Walk walk{*this, scratch.stamp.data()};
  if (subject.front() == '/') walk.best = slash_root_;
  if (walk.best != kNone) return true;  // "/" as inpath: everything
  current.clear();
  walk.generation = scratch.next_generation();
  walk.push(current, 0);
  walk.close(current, 0);
  size_t i = 0;
  while (!current.empty()) {
    if (current.size() == 1 && walk.plain(current.front())) {
      // A literal stretch: alive at the end of `subject`, or a subtree pattern ending at a
      // '/' on the way, means something below `dir` matches.
      uint32_t node = current.front();
      while (walk.plain(node)) {
        if (i == subject.size()) return true;
        if (subject[i] == '/' && nodes_[node].accept_subtree != kNone) return true;
        node = literal_child(node, static_cast<unsigned char>(subject[i++]));
        if (node == kNone) return false;
      }
      current.clear();
      walk.generation = scratch.next_generation();
      walk.push(current, node);
      walk.close(current, 0);
      continue;
    }
    walk.accept(current, subject, i);
    if (walk.best != kNone) return true;  // a subtree pattern accepted a prefix
    if (i == subject.size()) break;
    walk.generation = scratch.next_generation();
    next.clear();
    walk.step(current, next, static_cast<unsigned char>(subject[i++]));
    current.swap(next);
  }
  // Alive after the '/': a pattern continues below `dir`.
  return i == subject.size() && !current.empty();
}

}  // namespace stsh::policy
