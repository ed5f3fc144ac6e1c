#include "scanner/engine/registry.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace adpersist::engine {

CheckRegistry& CheckRegistry::instance() {
  static CheckRegistry r;
  return r;
}

void CheckRegistry::add(CheckFactory factory) { factories_.push_back(std::move(factory)); }

const std::vector<std::unique_ptr<Check>>& CheckRegistry::all() {
  if (checks_.size() != factories_.size()) {
    checks_.clear();
    for (auto& f : factories_) checks_.push_back(f());
    std::sort(checks_.begin(), checks_.end(), [](auto& a, auto& b) { return a->info().id < b->info().id; });
    for (std::size_t i = 1; i < checks_.size(); ++i) {
      if (checks_[i]->info().id == checks_[i - 1]->info().id) {
        std::fprintf(stderr, "adpersist: internal error: two checks share the id %s\n", checks_[i]->info().id.c_str());
        std::abort();
      }
    }
  }
  return checks_;
}

const Check* CheckRegistry::find(std::string_view id) {
  for (auto& c : all())
    if (c->info().id == id) return c.get();
  return nullptr;
}

bool glob_match(std::string_view p, std::string_view t) {
  // Iterative '*' matching with backtracking to the last star: linear-ish, no recursion.
  std::size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && p[pi] == t[ti]) {
      ++pi;
      ++ti;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

Result<std::vector<const Check*>> select_checks(const std::vector<std::string>& only,
                                                const std::vector<std::string>& skip) {
  const auto& all = CheckRegistry::instance().all();
  auto matches_any = [](const std::vector<std::string>& pats, std::string_view id) {
    return std::any_of(pats.begin(), pats.end(), [&](const std::string& p) { return glob_match(p, id); });
  };
  for (const auto* list : {&only, &skip}) {
    for (const auto& p : *list) {
      bool hit = std::any_of(all.begin(), all.end(), [&](auto& c) { return glob_match(p, c->info().id); });
      if (!hit)
        return make_error(ErrorCode::usage,
                          "no check matches '" + p + "' (see 'adpersist checks list')");
    }
  }
  std::vector<const Check*> out;
  for (auto& c : all) {
    const auto& id = c->info().id;
    if (!only.empty() && !matches_any(only, id)) continue;
    if (matches_any(skip, id)) continue;
    out.push_back(c.get());
  }
  return out;
}

}  // namespace adpersist::engine
