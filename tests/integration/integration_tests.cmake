# Integration tests against a real Samba AD DC (tests/dc). scripts/test provisions and plants the DC, then
# runs `ctest -L '^integration$'` inside a private network namespace with ADP_DC_DIR set; the fixture
# below starts the DC before these tests and stops it (by its PID) after. Without ADP_DC_DIR they skip.
set(ADP_IT ${CMAKE_CURRENT_SOURCE_DIR}/integration)
set(ADP_DC ${PROJECT_SOURCE_DIR}/tests/dc)

add_test(NAME dc.start COMMAND bash -c "[ -n \"$ADP_DC_DIR\" ] || exit 77; exec ${ADP_DC}/start.sh \"$ADP_DC_DIR\"")
add_test(NAME dc.stop COMMAND bash -c "[ -n \"$ADP_DC_DIR\" ] || exit 77; exec ${ADP_DC}/stop.sh \"$ADP_DC_DIR\"")
set_tests_properties(dc.start PROPERTIES FIXTURES_SETUP samba_dc LABELS integration SKIP_RETURN_CODE 77)
set_tests_properties(dc.stop PROPERTIES FIXTURES_CLEANUP samba_dc LABELS integration SKIP_RETURN_CODE 77)

# secrets_vv: every live path that handles a secret (LDAPS, StartTLS, GSSAPI with kinit and a keytab, Graph with a
# secret and a certificate, HEC) run with -vv against the DC and the loopback Graph and HEC look-alikes; no secret
# or token in any output, report, baseline, recording or server log.
foreach(t ldaps_simple starttls_simple gssapi collect_equals_scan errors baseline_live dc_faults secrets_vv)
  add_test(NAME integration.${t} COMMAND bash ${ADP_IT}/${t}.sh ${ADPERSIST_TEST_BIN})
  set_tests_properties(integration.${t} PROPERTIES FIXTURES_REQUIRED samba_dc LABELS integration
                       SKIP_RETURN_CODE 77 RESOURCE_LOCK samba_dc TIMEOUT 300)
endforeach()

# Run against a freshly provisioned DC (before planting), already started by the caller.
add_test(NAME integration.fresh_dc_defaults COMMAND bash ${ADP_IT}/fresh_dc_defaults.sh ${ADPERSIST_TEST_BIN})
set_tests_properties(integration.fresh_dc_defaults PROPERTIES LABELS integration-fresh SKIP_RETURN_CODE 77 TIMEOUT 300)

# The Graph-like HTTPS server (tests/graph) tests itself: token endpoint (PS256/RS256 assertions, secrets),
# paging and $select, throttling, refusals, token expiry. It listens on loopback, so it runs in this phase,
# inside the private network namespace.
add_test(NAME integration.graph_server_selftest COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/tests/graph/selftest.py)
set_tests_properties(integration.graph_server_selftest PROPERTIES LABELS integration TIMEOUT 180)

# The live Microsoft Graph collector (app-only auth, paging, throttling, token renewal, refusals, collect
# --record) against that server serving fixtures/tenant: live, offline and recorded scans must agree.
# Loopback only, no DC.
add_test(NAME integration.graph_live COMMAND bash ${ADP_IT}/graph_live.sh ${ADPERSIST_TEST_BIN})
set_tests_properties(integration.graph_live PROPERTIES LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 300)

# Splunk HEC delivery (scan --hec-url) against the HEC look-alike (tests/hec/server.py): every finding once,
# retries after 503/429, a refused token and an untrusted certificate (exit 3), the token never printed.
# Loopback only, no DC.
add_test(NAME integration.hec_post COMMAND bash ${ADP_IT}/hec_post.sh ${ADPERSIST_TEST_BIN})
set_tests_properties(integration.hec_post PROPERTIES LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 120)

# The progress line is drawn on a terminal only (a live Graph scan against the test server, on a file and
# under `script`): loopback only, so inside the namespace.
add_test(NAME integration.progress COMMAND bash ${ADP_IT}/progress.sh ${ADPERSIST_TEST_BIN})
set_tests_properties(integration.progress PROPERTIES LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 120)
