# CLI tests with the real binary on the lab and tenant fixtures: baselines, suppressions and IOC matching
# (issue 6), and hostile directory data through every output format (issue 8).
add_test(NAME cli.baseline COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/baseline.sh ${ADPERSIST_TEST_BIN}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.baseline PROPERTIES LABELS cli TIMEOUT 300)
add_test(NAME cli.policy COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/policy.sh ${ADPERSIST_TEST_BIN}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.policy PROPERTIES LABELS cli TIMEOUT 300)
add_test(NAME cli.suppressions COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/suppressions.sh ${ADPERSIST_TEST_BIN}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.suppressions PROPERTIES LABELS cli TIMEOUT 120)
add_test(NAME cli.hostile COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/hostile.sh ${ADPERSIST_TEST_BIN}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.hostile PROPERTIES LABELS cli TIMEOUT 600)
