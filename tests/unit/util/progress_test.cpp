// The progress line: when it is drawn at all (a terminal, no --quiet/--no-progress), how often (at most every
// 200 ms, never for a phase done within the first interval), what it says, and that it is erased.
#include "scanner/util/progress.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

using namespace adpersist;
using util::Progress;
using namespace std::chrono_literals;

namespace {

struct FakeTerminal {
  Progress::Clock::time_point t{};  // the fake clock
  std::string bytes;                // everything written
  std::size_t writes = 0;

  Progress::Config config(bool enabled = true, std::size_t width = 0) {
    Progress::Config c;
    c.enabled = enabled;
    c.width = width;
    c.now = [this] { return t; };
    c.write = [this](std::string_view b) {
      bytes += b;
      ++writes;
    };
    return c;
  }
};

}  // namespace

TEST_CASE("Progress is drawn only on a terminal that understands it, and not under --quiet or --no-progress",
          "[unit][progress]") {
  CHECK(util::progress_wanted(true, "xterm-256color", false, false));
  CHECK(util::progress_wanted(true, "linux", false, false));
  CHECK_FALSE(util::progress_wanted(false, "xterm", false, false));  // a pipe, a log file, systemd's journal
  CHECK_FALSE(util::progress_wanted(true, "xterm", true, false));    // --quiet
  CHECK_FALSE(util::progress_wanted(true, "xterm", false, true));    // --no-progress
  CHECK_FALSE(util::progress_wanted(true, "dumb", false, false));    // Emacs shell buffers and the like
  CHECK_FALSE(util::progress_wanted(true, nullptr, false, false));   // no TERM at all (cron, a bare service)
  CHECK_FALSE(util::progress_wanted(true, "", false, false));
}

TEST_CASE("A disabled reporter writes nothing, whatever it is told", "[unit][progress]") {
  FakeTerminal term;
  {
    Progress p(term.config(false));
    for (int i = 0; i < 1000; ++i) {
      term.t += 50ms;
      p.update("ldap: domain NC", static_cast<std::uint64_t>(i));
    }
    p.clear();
    CHECK_FALSE(p.shown());
  }
  CHECK(term.bytes.empty());
  CHECK(term.writes == 0);
}

TEST_CASE("Progress text: thousands grouped, the rate after a second", "[unit][progress]") {
  CHECK(util::group_thousands(0) == "0");
  CHECK(util::group_thousands(999) == "999");
  CHECK(util::group_thousands(1000) == "1,000");
  CHECK(util::group_thousands(12345) == "12,345");
  CHECK(util::group_thousands(1234567890) == "1,234,567,890");
  CHECK(util::progress_text("ldap: domain NC", 1, 0.1) == "ldap: domain NC 1 object");
  CHECK(util::progress_text("ldap: domain NC", 500, 0.5) == "ldap: domain NC 500 objects");
  CHECK(util::progress_text("ldap: domain NC", 12345, 3.0) == "ldap: domain NC 12,345 objects (4,115/s)");
  CHECK(util::progress_text("graph: servicePrincipals", 30000, 10.0) ==
        "graph: servicePrincipals 30,000 objects (3,000/s)");
}

TEST_CASE("Progress is redrawn at most every 200 ms, in place, and erased at the end", "[unit][progress]") {
  FakeTerminal term;
  {
    Progress p(term.config());
    // 100 updates in the first 150 ms: nothing yet (a phase done in a blink never flashes a line).
    for (int i = 1; i <= 100; ++i) {
      term.t += 1500us;
      p.update("ldap: domain NC", static_cast<std::uint64_t>(i));
    }
    CHECK(term.writes == 0);
    CHECK_FALSE(p.shown());
    // 2 seconds of updates every 10 ms: 10 draws (one per 200 ms), not 200.
    for (int i = 101; i <= 300; ++i) {
      term.t += 10ms;
      p.update("ldap: domain NC", static_cast<std::uint64_t>(i) * 100);
    }
    CHECK(term.writes == 10);
    CHECK(p.shown());
    // Each draw returns to the start of the line and erases what is left of a longer earlier line. The last
    // draw was at 2,000 ms, update 285.
    const std::string last = "\rldap: domain NC 28,500 objects (14,261/s)\x1b[K";
    CHECK(term.bytes.find(last) != std::string::npos);
    CHECK(term.bytes.size() >= 3);
    CHECK(term.bytes.substr(term.bytes.size() - 3) == "\x1b[K");
    CHECK(term.bytes.find('\n') == std::string::npos);  // never a new line: one line, overwritten
  }
  // Destroyed: the line is erased.
  CHECK(term.bytes.substr(term.bytes.size() - 4) == "\r\x1b[K");
  CHECK(term.writes == 11);
}

TEST_CASE("Progress rate: per label from its first update, so interleaved Graph datasets keep theirs",
          "[unit][progress]") {
  FakeTerminal term;
  Progress p(term.config());
  p.update("graph: servicePrincipals", 0);  // t = 0
  term.t += 1s;
  p.update("graph: applications", 0);  // t = 1 s
  CHECK(term.bytes == "\rgraph: applications 0 objects\x1b[K");
  term.bytes.clear();
  term.t += 1s;  // t = 2 s
  p.update("graph: servicePrincipals", 4000);
  CHECK(term.bytes == "\rgraph: servicePrincipals 4,000 objects (2,000/s)\x1b[K");
  term.bytes.clear();
  term.t += 1s;  // t = 3 s: applications have run for 2 s
  p.update("graph: applications", 1000);
  CHECK(term.bytes == "\rgraph: applications 1,000 objects (500/s)\x1b[K");
}

TEST_CASE("Progress: cut to the terminal's width (a wrapped line could not be redrawn); clear() is idempotent",
          "[unit][progress]") {
  FakeTerminal term;
  Progress p(term.config(true, 20));
  term.t += 1s;
  p.update("graph: federatedIdentityCredentials", 123456);
  CHECK(term.bytes == "\rgraph: federatedIde\x1b[K");  // 19 columns: the cursor stays on the line
  term.bytes.clear();
  p.clear();
  CHECK(term.bytes == "\r\x1b[K");
  p.clear();
  CHECK(term.bytes == "\r\x1b[K");
  CHECK_FALSE(p.shown());
}

TEST_CASE("The stderr reporter draws nothing when stderr is not a terminal (as under ctest)", "[unit][progress]") {
  // ctest runs this binary with stderr on a pipe or file: the real reporter must stay silent.
  auto p = util::stderr_progress(false, false);
  REQUIRE(p);
  if (!::isatty(2)) {
    CHECK_FALSE(p->enabled());
    p->update("ldap: domain NC", 1);
    CHECK_FALSE(p->shown());
  }
  auto q = util::stderr_progress(true, false);  // --quiet: never, terminal or not
  CHECK_FALSE(q->enabled());
  auto r = util::stderr_progress(false, true);  // --no-progress
  CHECK_FALSE(r->enabled());
}
