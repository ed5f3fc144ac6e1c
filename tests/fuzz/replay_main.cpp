// Replays the committed fuzz corpora (tests/fuzz/corpus/<target>/) through the libFuzzer targets in an
// ordinary build (g++, no libFuzzer): every *_fuzz.cpp is compiled into this one program with its
// LLVMFuzzerTestOneInput renamed to adpersist_fuzz_<target> (tests/fuzz/replay.cmake), and ctest runs
//
//   adpersist_fuzz_replay TARGET PATH...
//
// once per target. Each PATH is a file or a directory (its regular files, in name order). Every input is
// copied into a heap buffer of exactly its size, as libFuzzer does, so that ASan sees a read past the end.
// A failed FUZZ_CHECK, a sanitizer report or a crash ends the program abnormally (the test fails) after the
// input's path is printed (an abort handler, and the sanitizers' death callback when they are linked in);
// exit 0 means every input ran. Exit 2: usage (unknown target, missing path, no
// input at all).
#include <unistd.h>
#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_replay_targets.hpp"  // ADPERSIST_FUZZ_TARGETS(X): X(name) for every target (replay.cmake)

using FuzzFn = int (*)(const std::uint8_t*, std::size_t);

// Set by ASan/UBSan builds (ADPERSIST_SANITIZE, the ASan+UBSan stage of scripts/test); null otherwise.
extern "C" void __sanitizer_set_death_callback(void (*callback)()) __attribute__((weak));

#define ADPERSIST_DECLARE(name) extern "C" int adpersist_fuzz_##name(const std::uint8_t*, std::size_t);
ADPERSIST_FUZZ_TARGETS(ADPERSIST_DECLARE)
#undef ADPERSIST_DECLARE

namespace {

struct Target {
  std::string_view name;
  FuzzFn fn;
};

#define ADPERSIST_ENTRY(name) Target{#name, adpersist_fuzz_##name},
constexpr Target kTargets[] = {ADPERSIST_FUZZ_TARGETS(ADPERSIST_ENTRY)};
#undef ADPERSIST_ENTRY

// The input being replayed, for the abort handler (FUZZ_CHECK aborts; sanitizers print their own report).
char current[4096] = "";

void say_current() {
  const char prefix[] = "adpersist_fuzz_replay: failed on input ";
  (void)!::write(2, prefix, sizeof prefix - 1);
  (void)!::write(2, current, std::strlen(current));
  (void)!::write(2, "\n", 1);
}

void on_abort(int sig) {
  say_current();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s TARGET PATH...\n", argv[0]);
    return 2;
  }
  FuzzFn fn = nullptr;
  for (const auto& t : kTargets)
    if (t.name == argv[1]) fn = t.fn;
  if (!fn) {
    std::fprintf(stderr, "adpersist_fuzz_replay: no target '%s'\n", argv[1]);
    return 2;
  }
  namespace fs = std::filesystem;
  std::vector<fs::path> inputs;
  for (int i = 2; i < argc; ++i) {
    const fs::path p(argv[i]);
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (const auto& e : fs::directory_iterator(p, ec))
        if (e.is_regular_file()) inputs.push_back(e.path());
    } else if (fs::is_regular_file(p, ec)) {
      inputs.push_back(p);
    } else {
      std::fprintf(stderr, "adpersist_fuzz_replay: no such file or directory: %s\n", argv[i]);
      return 2;
    }
  }
  std::sort(inputs.begin(), inputs.end());
  if (inputs.empty()) {
    std::fprintf(stderr, "adpersist_fuzz_replay: no input for '%s'\n", argv[1]);
    return 2;
  }
  std::signal(SIGABRT, on_abort);
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(say_current);
  std::size_t bytes = 0;
  for (const auto& path : inputs) {
    std::snprintf(current, sizeof current, "%s", path.c_str());
    std::ifstream in(path, std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::fprintf(stderr, "adpersist_fuzz_replay: cannot read %s\n", current);
      return 2;
    }
    const auto buf = std::make_unique<std::uint8_t[]>(data.size());  // exactly the input's size
    std::memcpy(buf.get(), data.data(), data.size());
    fn(buf.get(), data.size());
    bytes += data.size();
  }
  std::printf("%s: %zu inputs (%zu bytes) replayed\n", argv[1], inputs.size(), bytes);
  return 0;
}
