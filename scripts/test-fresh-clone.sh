#!/usr/bin/env bash
# Proves the README's test command passes on a user's clone: a clone of this repository's HEAD in a temporary
# folder with no ../shared beside it (the team's reference data and documents exist only beside the team's
# checkout). The tests that read ../shared must skip with a message naming what is absent; every other test must
# pass. Uses this checkout's node_modules when it has one (else `npm ci` in the clone).
#
#   scripts/test-fresh-clone.sh              the README's test command, `npm test`, whole
#   scripts/test-fresh-clone.sh tests/unit   the type check and only the named test folders (CI: the tests that
#                                            read ../shared are all unit tests; the integration and fault suites
#                                            run once, in CI's own `npm test`)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

git clone -q "$here" "$work/squatmon"
cd "$work/squatmon"
[ ! -e ../shared ] || { echo "fresh clone: $work/shared exists; the clone would not be fresh" >&2; exit 1; }
if [ -d "$here/node_modules" ]; then ln -s "$here/node_modules" node_modules; else npm ci --no-audit --no-fund; fi

echo "fresh clone: $(git log -1 --format='%h %s' | cut -c1-80) in $work/squatmon, no ../shared"
status=0
if [ "$#" -eq 0 ]; then
  npm test 2>&1 | tee "$work/test.log" || status=$?
else
  { npx tsc --noEmit -p . && npx vitest run "$@"; } 2>&1 | tee "$work/test.log" || status=$?
fi
echo
echo "fresh clone: skip messages:"
sed 's/\x1b\[[0-9;]*m//g' "$work/test.log" | grep -E 'skipped:|absent' | sort -u || true
[ "$status" -eq 0 ] || { echo "fresh clone: ${*:-npm test} failed (exit $status)" >&2; exit "$status"; }
grep -qE 'Tests .*passed' "$work/test.log" || { echo "fresh clone: no test summary found" >&2; exit 1; }
echo "fresh clone: ${*:-npm test} passed"
