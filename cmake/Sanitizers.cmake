# adpersist_options: hardening and optional sanitizers, applied to every project target.
add_library(adpersist_options INTERFACE)
target_compile_options(adpersist_options INTERFACE -fstack-protector-strong)
target_compile_definitions(adpersist_options INTERFACE _GLIBCXX_ASSERTIONS)
if(ADPERSIST_SANITIZE)
  target_compile_options(adpersist_options INTERFACE
    -fsanitize=${ADPERSIST_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  # Linked as a fixed-address executable: an -O0 sanitizer build carries ~100 MB of instrumentation data whose
  # pointers a PIE must relocate at every start (3.5 million relocations, ~0.5 s CPU per process, measured on
  # the adpersist binary: 0.65 s -> 0.35 s, 240 -> 157 MB), and the test suite starts it thousands of times.
  target_link_options(adpersist_options INTERFACE -fsanitize=${ADPERSIST_SANITIZE} -no-pie)
endif()
