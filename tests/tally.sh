# Sourced by the test runners: pass/fail counts and the failures' names.
# shellcheck shell=sh
passed=0
failed=0
failures=""

# tally RC NAME [DETAIL]: counts one result, prints "ok" or "FAIL" with
# the detail; returns RC's truth so the caller can show more on failure.
tally() {
    if [ "$1" -eq 0 ]; then
        passed=$((passed + 1))
        echo "ok   $2"
        return 0
    fi
    failed=$((failed + 1))
    failures="$failures $2"
    echo "FAIL $2${3:+ $3}"
    return 1
}
