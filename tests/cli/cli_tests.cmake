# CLI smoke, exit-code, schema and golden tests: the binary as a user runs it.
set(ADP_BIN ${ADPERSIST_TEST_BIN})  # $<TARGET_FILE:adpersist>, or its wrapper (tests/CMakeLists.txt)
set(ADP_CLI ${CMAKE_CURRENT_SOURCE_DIR}/cli)
set(ADP_LAB --ldif fixtures/lab/domain.ldif --ldif fixtures/lab/configuration.ldif --now 2026-12-01T00:00:00Z)

add_test(NAME cli.version COMMAND ${ADP_BIN} --version)
set_tests_properties(cli.version PROPERTIES PASS_REGULAR_EXPRESSION "^adpersist ${PROJECT_VERSION}")
add_test(NAME cli.help COMMAND ${ADP_BIN} scan --help)
set_tests_properties(cli.help PROPERTIES PASS_REGULAR_EXPRESSION "--fail-on")
add_test(NAME cli.checks_list COMMAND ${ADP_BIN} checks list)
set_tests_properties(cli.checks_list PROPERTIES PASS_REGULAR_EXPRESSION "ad.unconstrained-delegation.*\n[0-9]+ checks")
add_test(NAME cli.checks_show COMMAND ${ADP_BIN} checks show ad.rbcd)
set_tests_properties(cli.checks_show PROPERTIES PASS_REGULAR_EXPRESSION "^# ad.rbcd")

function(adp_expect_exit name code)
  add_test(NAME ${name} COMMAND bash ${ADP_CLI}/expect_exit.sh ${code} ${ARGN} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(${name} PROPERTIES LABELS cli)
endfunction()
adp_expect_exit(cli.exit_checks_show_unknown 2 ${ADP_BIN} checks show ad.no-such-check)
adp_expect_exit(cli.exit_bad_fail_on 2 ${ADP_BIN} scan ${ADP_LAB} --fail-on severe)
adp_expect_exit(cli.exit_bad_now 2 ${ADP_BIN} scan ${ADP_LAB} --now yesterday)
adp_expect_exit(cli.exit_unknown_check 2 ${ADP_BIN} scan ${ADP_LAB} --checks ad.typo)
adp_expect_exit(cli.exit_no_input 2 ${ADP_BIN} scan)
adp_expect_exit(cli.exit_missing_file 2 ${ADP_BIN} scan --ldif /nonexistent.ldif)
adp_expect_exit(cli.exit_lab_gate 1 ${ADP_BIN} scan ${ADP_LAB} -q)
adp_expect_exit(cli.exit_lab_gate_off 0 ${ADP_BIN} scan ${ADP_LAB} -q --fail-on none)
# Without the configuration NC, ad.dsheuristics cannot run: incomplete outranks findings.
adp_expect_exit(cli.exit_incomplete 3 ${ADP_BIN} scan --ldif fixtures/lab/domain.ldif --now 2026-12-01T00:00:00Z -q)
# Entra ID: the fixture tenant trips the gate; a missing capture directory is a usage error; an AD check
# named without an AD source is not evaluated (exit 3), never passed.
set(ADP_TENANT --graph-dir fixtures/tenant --now 2026-12-01T00:00:00Z)
adp_expect_exit(cli.exit_tenant_gate 1 ${ADP_BIN} scan ${ADP_TENANT} -q)
adp_expect_exit(cli.exit_tenant_missing_dir 2 ${ADP_BIN} scan --graph-dir /nonexistent-capture)
adp_expect_exit(cli.exit_tenant_ad_check 3 ${ADP_BIN} scan ${ADP_TENANT} --checks ad.rbcd -q)

add_test(NAME cli.malformed_ldif COMMAND bash ${ADP_CLI}/malformed_ldif.sh ${ADP_BIN})
add_test(NAME cli.report_schema COMMAND bash ${ADP_CLI}/report_schema.sh ${ADP_BIN} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
add_test(NAME cli.golden COMMAND bash ${ADP_CLI}/golden.sh ${ADP_BIN} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.version cli.help cli.checks_list cli.checks_show cli.malformed_ldif cli.report_schema cli.golden
                     PROPERTIES LABELS cli)
# Every --output format from real scans, validated against the JSON of the same run (needs /usr/bin/python3).
add_test(NAME cli.formats COMMAND bash ${ADP_CLI}/formats.sh ${ADP_BIN} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
# The HTML report rendered by headless Chromium without network; skipped (77) only when chromium is absent.
add_test(NAME cli.html_browser COMMAND bash ${ADP_CLI}/html_browser.sh ${ADP_BIN} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.formats cli.html_browser PROPERTIES LABELS cli)
set_tests_properties(cli.html_browser PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 180)
# Security descriptors that lie about their lengths, end to end and at scale (tests/cli/lying_sd_ldif.py corrupts
# the lab's real Samba descriptors): bounded time and memory, exit 3, each check that could not judge an object
# not evaluated or naming its DN in a note, never passed.
add_test(NAME cli.lying_sd COMMAND bash ${ADP_CLI}/lying_sd.sh ${ADP_BIN} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
# Core dumps are off from the first byte of every secret on (RLIMIT_CORE and the dumpable flag, read from /proc
# of the running scanner, run as nobody when root). The bare binary, never ADPERSIST_TEST_WRAPPER: it inspects
# the adpersist process itself. Skipped (77) only where no unprivileged user can run the binary.
add_test(NAME cli.secrets_coredump COMMAND bash ${ADP_CLI}/secrets_coredump.sh $<TARGET_FILE:adpersist>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.lying_sd cli.secrets_coredump PROPERTIES LABELS cli TIMEOUT 180)
set_tests_properties(cli.secrets_coredump PROPERTIES SKIP_RETURN_CODE 77)
