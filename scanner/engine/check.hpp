// The check interface (STYLE.md 2.3). A check reads the snapshot and writes findings; it never does I/O.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "scanner/model/check_info.hpp"
#include "scanner/model/finding.hpp"
#include "scanner/model/ioc.hpp"
#include "scanner/model/snapshot.hpp"

namespace adpersist::engine {

struct CheckContext {
  const model::Snapshot& snapshot;
  model::TimePoint now;               // --now, or the clock at scan start
  std::chrono::seconds recent_window;  // --since: what "recent" means
  const model::IocSet* ioc = nullptr;  // --ioc: known-bad values (checks with needs_ioc run only with one)
  // `t` lies inside the recent window (and not in the future beyond a small clock skew).
  bool is_recent(model::TimePoint t) const { return t >= now - recent_window; }
  // Whole days between `t` and now (negative when `t` is in the future).
  std::int64_t days_since(model::TimePoint t) const {
    return std::chrono::duration_cast<std::chrono::hours>(now - t).count() / 24;
  }
};

class Check {
 public:
  virtual ~Check() = default;
  virtual const model::CheckInfo& info() const = 0;
  virtual void evaluate(const CheckContext& ctx, model::Findings& out) const = 0;
};

using CheckFactory = std::function<std::unique_ptr<Check>()>;

}  // namespace adpersist::engine
