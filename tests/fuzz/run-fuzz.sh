#!/bin/sh
# Runs the libFuzzer targets built by `make fuzz-build` (BUILD/fuzz/fuzz_*).
#   tests/fuzz/run-fuzz.sh fuzz BUILD SECONDS [NAME...]
#       each target (or the NAMEd ones): replays its regressions, then
#       fuzzes for SECONDS from its seed corpus; one line per target and a
#       closing "fuzz: N passed, N failed".
#   tests/fuzz/run-fuzz.sh one BUILD SECONDS NAME
#       the same for one target, quietly (its log in BUILD/fuzz-logs/);
#       the exit status tells.  tests/run-tests.sh counts each as a test.
#   tests/fuzz/run-fuzz.sh merge BUILD
#       adds the inputs found so far that reach new code to the checked-in
#       corpus, minimised (libFuzzer -merge=1).
# Seeds: tests/fuzz/corpus/NAME/ (read only).  New inputs go to a scratch
# corpus, BUILD/corpus/NAME/.  A crash, leak, timeout or broken promise is
# a failure, and its input is kept in tests/fuzz/regressions/NAME/, which
# every later run replays first.  An optional tests/fuzz/NAME.dict is
# given to libFuzzer as its dictionary.
set -u
cd "$(dirname "$0")/../.." || exit 1
mode=${1:-}
build=${2:-build-fuzz}
secs=${3:-60}

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS=suppressions="$PWD/tests/lsan.supp":print_suppressions=0
export TZ="${TZ:-Asia/Shanghai}"

nfiles() { find "$1" -type f 2>/dev/null | wc -l; }

# one NAME: 0 when the target passes.
one() {
    bin=$build/fuzz/$1
    seeds=tests/fuzz/corpus/$1
    regress=tests/fuzz/regressions/$1
    scratch=$build/corpus/$1
    log=$build/fuzz-logs/$1.log
    mkdir -p "$scratch" "$regress" "$build/fuzz-logs"
    : >"$log"
    if [ ! -x "$bin" ]; then
        echo "$bin: not built (make fuzz-build)" >>"$log"
        return 1
    fi
    set -- "$regress"/*
    if [ -f "$1" ]; then
        echo "== replaying $# regression input(s)" >>"$log"
        "$bin" -timeout=10 "$@" >>"$log" 2>&1 || return 1
    fi
    dict=tests/fuzz/$(basename "$bin").dict
    set --
    [ -f "$dict" ] && set -- "-dict=$dict"
    [ -d "$seeds" ] && set -- "$@" "$seeds"
    echo "== fuzzing for $secs s" >>"$log"
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$regress/" -print_final_stats=1 \
        "$scratch" "$@" >>"$log" 2>&1
}

# summary NAME: "N execs, corpus N" from the log's final statistics.
summary() {
    log=$build/fuzz-logs/$1.log
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    echo "${execs:-0} execs, scratch corpus $(nfiles "$build/corpus/$1")"
}

targets() {
    for b in "$build"/fuzz/fuzz_*; do
        [ -x "$b" ] && basename "$b"
    done
}

case "$mode" in
one)
    one "$4"
    ;;
fuzz)
    shift 3
    # shellcheck disable=SC2046 # target names have no spaces
    [ $# -gt 0 ] || set -- $(targets)
    passed=0
    failed=0
    for t in "$@"; do
        if one "$t"; then
            passed=$((passed + 1))
            echo "ok   $t: $(summary "$t")"
        else
            failed=$((failed + 1))
            echo "FAIL $t: $(summary "$t"); log: $build/fuzz-logs/$t.log"
            grep -E 'ERROR|runtime error|broken promise|Test unit written' \
                "$build/fuzz-logs/$t.log" | head -n 8 | sed 's/^/    /'
        fi
    done
    echo "fuzz: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    ;;
merge)
    for t in $(targets); do
        [ -d "$build/corpus/$t" ] || continue
        mkdir -p "tests/fuzz/corpus/$t"
        before=$(nfiles "tests/fuzz/corpus/$t")
        "$build/fuzz/$t" -merge=1 -timeout=10 "tests/fuzz/corpus/$t" \
            "$build/corpus/$t" >"$build/fuzz-logs/$t.merge.log" 2>&1 ||
            echo "$t: merge failed, see $build/fuzz-logs/$t.merge.log"
        echo "$t: $before -> $(nfiles "tests/fuzz/corpus/$t") seed inputs"
    done
    ;;
*)
    echo "usage: tests/fuzz/run-fuzz.sh fuzz|one|merge BUILD [SECONDS] [NAME...]" >&2
    exit 2
    ;;
esac
