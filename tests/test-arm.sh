#!/bin/sh
# The Raspberry Pi builds, tested on this machine: cross-compiles arm64 and
# armhf with Debian multiarch (deploy/deps.sh cross-arm64 cross-armhf),
# runs their unit tests and a --render of the built-in deck under
# qemu-user, and compares the ARM pictures with this machine's within the
# golden images' tolerance.  The cross-fade blend is checked on each:
# NEON on arm64, plain code on armhf (Debian's armhf has no NEON, so the
# compiler lowers the vector type to scalar code), NEON again on armhf
# built with -mfpu=neon.  Ends with "N passed, N failed".
#   tests/test-arm.sh [arm64] [armhf] [armhf-neon]     (default: all three)
set -u
cd "$(dirname "$0")/.." || exit 1
[ $# -gt 0 ] || set -- arm64 armhf armhf-neon
jobs=${JOBS:-2}
. tests/tally.sh

export EDUKIOSK_TEST_DATA="$PWD/tests/data"
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy TZ=Asia/Shanghai
# The golden images' clock: every build draws the same minute.
now=1795932300

echo "== native build (the pictures to compare with)"
make --no-print-directory -j"$jobs" tests >/dev/null || {
    echo "native build failed"
    exit 1
}

for target in "$@"; do
    case "$target" in
    arm64) arch=arm64 build=build-arm64 qemu=qemu-aarch64-static flags="" ;;
    armhf) arch=armhf build=build-armhf qemu=qemu-arm-static flags="" ;;
    armhf-neon) arch=armhf build=build-armhf-neon qemu=qemu-arm-static flags=-mfpu=neon ;;
    *)
        echo "test-arm.sh: unknown target '$target' (arm64, armhf, armhf-neon)" >&2
        exit 2
        ;;
    esac
    echo "== $target"
    logs=$build/test-logs
    mkdir -p "$build"
    start=$(date +%s)
    if ! make --no-print-directory -j"$jobs" ARCH="$arch" BUILD="$build" CFLAGS="$flags" \
        tests >"$build/make.log" 2>&1; then
        tally 1 "$target: build (see $build/make.log)"
        continue
    fi
    tally 0 "$target: build ($(($(date +%s) - start)) s)"
    # Which way the compiler turned the blend's vector type: NEON
    # multiplies on 16-bit lanes, or none.
    case "$arch" in
    arm64) neon=$(aarch64-linux-gnu-objdump -d "$build/obj/render/render.o" | grep -cE '(mul|mla)[[:space:]].*\.8h') ;;
    *) neon=$(arm-linux-gnueabihf-objdump -d "$build/obj/render/render.o" | grep -cE 'v(mul|mla)\.i16') ;;
    esac
    echo "     blend: $neon NEON 16-bit multiplies in render.o"
    if [ "$target" = armhf ]; then
        [ "$neon" -eq 0 ]
        tally $? "$target: the blend is plain code (no NEON)"
    else
        [ "$neon" -gt 0 ]
        tally $? "$target: the blend uses NEON"
    fi

    # The unit tests, under qemu-user (the ARM libraries are where
    # multiarch put them, which the ARM dynamic loader searches).
    start=$(date +%s)
    TEST_RUNNER=$qemu sh tests/run-tests.sh "$build" >"$build/unit.log" 2>&1
    grep '^FAIL' "$build/unit.log" | sed 's/^/     /'
    count "$build/unit.log" "$target: unit tests ($(($(date +%s) - start)) s)"

    # --render of the built-in deck, and the same pictures drawn here.
    out=$build/render
    rm -rf "$out"
    EDUKIOSK_NOW=$now $qemu "$build/edukiosk" --no-config --render "$out" --size 1920x1080 \
        >"$logs/render.log" 2>&1
    tally $? "$target: --render of the built-in deck"
    EDUKIOSK_GOLDEN_DIR="$PWD/$out" build/tests/test_golden >"$logs/compare.log" 2>&1
    rc=$?
    sed -n 's/^slide/     slide/p' "$logs/compare.log"
    tally $rc "$target: --render pictures match this machine's"
done

[ -n "$failures" ] && echo "failed:$failures"
echo "test-arm: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
