# adpersist_options: hardening and optional sanitizers, applied to every project target.
add_library(adpersist_options INTERFACE)
target_compile_options(adpersist_options INTERFACE -fstack-protector-strong)
target_compile_definitions(adpersist_options INTERFACE _GLIBCXX_ASSERTIONS)
if(ADPERSIST_SANITIZE)
  target_compile_options(adpersist_options INTERFACE
    -fsanitize=${ADPERSIST_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(adpersist_options INTERFACE -fsanitize=${ADPERSIST_SANITIZE})
endif()
