// A progress line on stderr for interactive runs: "ldap: domain NC 12,345 objects (4,100/s)", redrawn in
// place ("\r\x1b[K") at most every 200 ms and erased at the end. Only a terminal ever sees it: without a TTY
// (logs, CI, systemd, cron, a pipe) nothing is drawn, so scheduled runs stay free of control characters.
// The sources take a Progress* (null: no progress) in their options; they call update() as data arrives.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace adpersist::util {

class Progress {
 public:
  using Clock = std::chrono::steady_clock;
  struct Config {
    bool enabled = false;                         // draw at all (see progress_wanted)
    std::chrono::milliseconds interval{200};      // the shortest time between two draws (and before the first)
    std::size_t width = 0;                        // terminal columns (the line is cut to width - 1); 0: no limit
    std::function<Clock::time_point()> now;       // default: Clock::now
    std::function<void(std::string_view)> write;  // where the bytes go (required when enabled)
  };

  explicit Progress(Config config);
  virtual ~Progress();  // erases a drawn line
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // `count` things under `label` ("ldap: domain NC") so far. Cheap between draws (one clock read). The rate
  // of a label counts from its first update, so interleaved labels (Graph datasets in flight together) keep
  // theirs.
  void update(std::string_view label, std::uint64_t count);
  // Erases the line if one is drawn (before other output, and at the end).
  void clear();

  bool enabled() const { return config_.enabled; }
  bool shown() const { return shown_; }

 private:
  Config config_;
  std::vector<std::pair<std::string, Clock::time_point>> started_;  // each label's first update
  std::size_t current_ = 0;                                          // index of the last label seen
  Clock::time_point last_draw_{};
  bool shown_ = false;
};

// "12,345,678"
std::string group_thousands(std::uint64_t n);
// The text of one progress line: "ldap: domain NC 12,345 objects", with " (4,100/s)" once the phase has run
// for a second.
std::string progress_text(std::string_view label, std::uint64_t count, double seconds);
// Whether to draw: stderr is a terminal that understands the erase sequence (TERM set and not "dumb") and
// neither --quiet nor --no-progress was given.
bool progress_wanted(bool stderr_is_tty, const char* term, bool quiet, bool no_progress);

// The reporter for this process's stderr: drawing only when `wanted` (progress_wanted with the real TTY
// and TERM). While a drawing reporter lives, anything written to std::cerr (an error, a -v line) first erases
// the progress line, so the two never share a line. Destroying it erases the line and restores std::cerr.
std::unique_ptr<Progress> stderr_progress(bool quiet, bool no_progress);

}  // namespace adpersist::util
