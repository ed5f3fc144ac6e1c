#!/usr/bin/env bash
# expect_exit.sh CODE CMD...: passes when CMD exits with CODE.
want="$1"; shift
"$@" >/tmp/adp-expect-exit.$$.out 2>&1
got=$?
if [ "$got" != "$want" ]; then
  echo "expected exit $want, got $got from: $*"
  cat /tmp/adp-expect-exit.$$.out
  rm -f /tmp/adp-expect-exit.$$.out
  exit 1
fi
rm -f /tmp/adp-expect-exit.$$.out
