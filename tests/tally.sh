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

# count LOG LABEL: adds the last "NAME: N passed, N failed" summary of a
# test run's log to the totals, and prints it under LABEL.
count() {
    line=$(grep -E '^[a-z -]+: [0-9]+ passed, [0-9]+ failed$' "$1" | tail -n1)
    p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
    if [ -z "$p" ]; then
        tally 1 "$2" "(no summary: $1)"
        return
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    [ "$f" -eq 0 ] || failures="$failures $2"
    echo "$2: $p passed, $f failed"
}
