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
# With precompiled headers, GCC 12 at -O2 reports out-of-bounds memcpy inside libstdc++'s std::string operator+
# and moves inlined into our code (-Warray-bounds, -Wstringop-overflow: GCC bugs 105329/105651; ~20 sites, all
# string concatenations, none a real overflow, and not reported without the PCH). Off only for that
# combination: a -DADPERSIST_PCH=OFF build keeps them, and real out-of-bounds accesses are what the ASan+UBSan
# stage of the test suite catches.
if(ADPERSIST_PCH AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(adpersist_warnings INTERFACE -Wno-array-bounds -Wno-stringop-overflow)
endif()
