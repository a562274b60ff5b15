#!/bin/sh
# Runs every test and prints one closing summary line:
#   "tests: N passed, N failed"
# Usage: tests/run-tests.sh BUILD_DIR [SANITIZER_BUILD_DIR [FUZZ_BUILD_DIR]]
#  - unit tests (cmocka programs BUILD/tests/test_*), counted per test case;
#  - integration tests (tests/it-*.sh, run with the first build's binary),
#    one count each;
#  - cppcheck and clang-tidy over src/ (make lint), one count each;
#  - the unit tests once more from the sanitizer build;
#  - each fuzz target of the fuzz build (tests/fuzz/run-fuzz.sh): its
#    regression inputs replayed, then FUZZ_SECONDS (5) of fuzzing; one
#    count each.
# TEST_RUNNER: a command the unit tests run under (e.g. qemu-aarch64-static
# for an ARM build); then only the unit tests run.
set -u
runner=${TEST_RUNNER:-}
limit=300
[ -z "$runner" ] || limit=1200 # emulated: several times slower
cd "$(dirname "$0")/.." || exit 1
build=${1:-build}
asan=${2:-}
fuzz=${3:-}
logs=$build/test-logs
rm -rf "$logs"
mkdir -p "$logs"
. tests/tally.sh

export EDUKIOSK_TEST_DATA="$PWD/tests/data"
export SDL_VIDEODRIVER=offscreen
export SDL_AUDIODRIVER=dummy
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions="$PWD/tests/lsan.supp":print_suppressions=0
export TZ="${TZ:-Asia/Shanghai}"

run_unit() { # dir label
    for t in "$1"/tests/test_*; do
        [ -x "$t" ] || continue
        name="$2$(basename "$t")"
        log="$logs/$name.log"
        # shellcheck disable=SC2086
        timeout "$limit" $runner "$t" >"$log" 2>&1
        rc=$?
        p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n1)
        f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n1)
        p=${p:-0}
        f=${f:-0}
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
            f=1 # crashed, timed out or a sanitizer stopped it
        fi
        passed=$((passed + p))
        failed=$((failed + f))
        if [ "$f" -gt 0 ]; then
            failures="$failures $name"
            echo "FAIL $name (exit $rc): $log"
            tail -n 30 "$log" | sed 's/^/    /'
        else
            echo "ok   $name ($p cases)"
        fi
    done
}

run_unit "$build" ""

for s in tests/it-*.sh; do
    if [ ! -f "$s" ] || [ -n "$runner" ]; then
        continue
    fi
    name=$(basename "$s" .sh)
    log="$logs/$name.log"
    timeout 600 sh "$s" "$build/edukiosk" >"$log" 2>&1
    rc=$?
    tally "$rc" "$name" "(exit $rc): $log" || tail -n 30 "$log" | sed 's/^/    /'
done

# Static analysis (make lint): any finding fails.  Not for an emulated
# run: the sources are the same.
for tool in cppcheck clang-tidy; do
    [ -z "$runner" ] || break
    log="$logs/lint-$tool.log"
    make --no-print-directory -k -j2 BUILD="$build" "lint-$tool" >"$log" 2>&1
    rc=$?
    tally "$rc" "$tool" "(exit $rc): $log" || tail -n 30 "$log" | sed 's/^/    /'
done

[ -n "$asan" ] && run_unit "$asan" "asan:"

if [ -n "$fuzz" ] && [ -z "$runner" ]; then
    for b in "$fuzz"/fuzz/fuzz_*; do
        [ -x "$b" ] || continue
        name=$(basename "$b")
        sh tests/fuzz/run-fuzz.sh one "$fuzz" "${FUZZ_SECONDS:-5}" "$name"
        rc=$?
        tally "$rc" "fuzz:$name" "(exit $rc): $fuzz/fuzz-logs/$name.log" ||
            grep -E -A12 'ERROR|runtime error|broken promise' "$fuzz/fuzz-logs/$name.log" |
            head -n 30 | sed 's/^/    /'
    done
fi

[ -n "$failures" ] && echo "failed:$failures"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
