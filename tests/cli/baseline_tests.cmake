# Issue 6 CLI tests: baselines, suppressions and IOC matching with the real binary on the lab and tenant fixtures.
add_test(NAME cli.baseline COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/baseline.sh $<TARGET_FILE:adpersist>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.baseline PROPERTIES LABELS cli TIMEOUT 300)
add_test(NAME cli.policy COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/policy.sh $<TARGET_FILE:adpersist>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.policy PROPERTIES LABELS cli TIMEOUT 300)
add_test(NAME cli.suppressions COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/suppressions.sh $<TARGET_FILE:adpersist>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(cli.suppressions PROPERTIES LABELS cli TIMEOUT 120)
