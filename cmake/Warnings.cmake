# adpersist_warnings: one INTERFACE target carries every warning flag (STYLE.md 2.10).
# -Wnull-dereference is left out: with -O2, GCC 12 reports it inside libstdc++ and nlohmann/json code
# inlined into ours (false positives that -Werror would turn into a broken build).
add_library(adpersist_warnings INTERFACE)
target_compile_options(adpersist_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Woverloaded-virtual -Wold-style-cast -Wcast-align -Wformat=2
  -Wimplicit-fallthrough
  $<$<CXX_COMPILER_ID:GNU>:-Wduplicated-cond -Wduplicated-branches -Wlogical-op -Wuseless-cast>)
if(ADPERSIST_WARNINGS_AS_ERRORS)
  target_compile_options(adpersist_warnings INTERFACE -Werror)
endif()
