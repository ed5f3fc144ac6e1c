#include "scanner/util/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <streambuf>

namespace adpersist::util {

namespace {
constexpr std::string_view kErase = "\x1b[K";  // erase to the end of the line
}

Progress::Progress(Config config) : config_(std::move(config)) {
  if (!config_.now) config_.now = [] { return Clock::now(); };
  if (!config_.write) config_.enabled = false;
  // The first draw waits one interval too: a source that is done in a blink never flashes a line.
  if (config_.enabled) last_draw_ = config_.now();
}

Progress::~Progress() { clear(); }

void Progress::update(std::string_view label, std::uint64_t count) {
  if (!config_.enabled) return;
  const auto now = config_.now();
  if (current_ >= started_.size() || started_[current_].first != label) {
    current_ = 0;
    while (current_ < started_.size() && started_[current_].first != label) ++current_;
    if (current_ == started_.size()) started_.emplace_back(std::string(label), now);
  }
  if (now - last_draw_ < config_.interval) return;
  last_draw_ = now;
  const double seconds = std::chrono::duration<double>(now - started_[current_].second).count();
  std::string text = progress_text(label, count, seconds);
  // A line longer than the terminal wraps, and "\r" would then redraw only its last row.
  if (config_.width > 1 && text.size() > config_.width - 1) text.resize(config_.width - 1);
  std::string line;
  line.reserve(text.size() + 8);
  line += '\r';
  line += text;
  line += kErase;  // after the text: a shorter line leaves nothing of the longer one behind, without a flicker
  config_.write(line);
  shown_ = true;
}

void Progress::clear() {
  if (!shown_) return;
  shown_ = false;
  std::string line = "\r";
  line += kErase;
  config_.write(line);
}

std::string group_thousands(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string progress_text(std::string_view label, std::uint64_t count, double seconds) {
  std::string s(label);
  s += ' ';
  s += group_thousands(count);
  s += count == 1 ? " object" : " objects";
  if (seconds >= 1.0) {
    const double rate = static_cast<double>(count) / seconds;
    s += " (" + group_thousands(static_cast<std::uint64_t>(rate + 0.5)) + "/s)";
  }
  return s;
}

bool progress_wanted(bool stderr_is_tty, const char* term, bool quiet, bool no_progress) {
  if (!stderr_is_tty || quiet || no_progress) return false;
  return term && *term && std::strcmp(term, "dumb") != 0;
}

namespace {

// Sits in front of std::cerr's buffer while a progress line may be drawn: any other output first erases it.
// Unbuffered (every write goes straight through), as std::cerr is.
class EraseBeforeWrite : public std::streambuf {
 public:
  EraseBeforeWrite(std::streambuf* inner, Progress& progress) : inner_(inner), progress_(progress) {}

 protected:
  int_type overflow(int_type c) override {
    before();
    if (traits_type::eq_int_type(c, traits_type::eof())) return inner_->pubsync() == 0 ? traits_type::not_eof(c) : c;
    return inner_->sputc(traits_type::to_char_type(c));
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    before();
    return inner_->sputn(s, n);
  }
  int sync() override { return inner_->pubsync(); }

 private:
  void before() {
    if (progress_.shown()) progress_.clear();
  }
  std::streambuf* inner_;
  Progress& progress_;
};

std::size_t stderr_columns() {
  winsize ws{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

class StderrProgress : public Progress {
 public:
  explicit StderrProgress(Config c, std::streambuf* original) : Progress(std::move(c)), original_(original) {
    if (enabled()) {
      guard_ = std::make_unique<EraseBeforeWrite>(original_, *this);
      std::cerr.rdbuf(guard_.get());
    }
  }
  ~StderrProgress() override {
    if (guard_) std::cerr.rdbuf(original_);
    // ~Progress erases the line through original_ (the write function does not go through std::cerr).
  }
  StderrProgress(const StderrProgress&) = delete;
  StderrProgress& operator=(const StderrProgress&) = delete;

 private:
  std::streambuf* original_;
  std::unique_ptr<EraseBeforeWrite> guard_;
};

}  // namespace

std::unique_ptr<Progress> stderr_progress(bool quiet, bool no_progress) {
  Progress::Config c;
  c.enabled = progress_wanted(::isatty(STDERR_FILENO) == 1, std::getenv("TERM"), quiet, no_progress);
  std::streambuf* original = std::cerr.rdbuf();
  if (c.enabled) {
    c.width = stderr_columns();
    c.write = [original](std::string_view bytes) {
      original->sputn(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      original->pubsync();
    };
  }
  return std::make_unique<StderrProgress>(std::move(c), original);
}

}  // namespace adpersist::util
