#!/bin/sh
# make test-pi: the ARM builds under qemu-user (tests/test-arm.sh), then the
# emulated Raspberry Pi: a Debian arm64 disk with edukiosk installed by
# deploy/install.sh (tests/pi/image.sh), booted in QEMU four times and
# checked from outside (tests/pi/checks.py).  Ends with
# "test-pi: N passed, N failed".  The image needs root (sudo otherwise);
# its base system is cached in $EDUKIOSK_PI_CACHE (default
# ~/.cache/edukiosk-pi of root).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/tally.sh
work=build/test-pi
rm -rf "$work"
mkdir -p "$work"
t0=$(date +%s)
since() { echo "$(($(date +%s) - $1)) s"; }

echo "== ARM builds under qemu-user (tests/test-arm.sh)"
t=$(date +%s)
sh tests/test-arm.sh >"$work/test-arm.log" 2>&1
grep '^FAIL' "$work/test-arm.log" | sed 's/^/     /'
count "$work/test-arm.log" "test-arm ($(since "$t"))"

echo "== the emulated Pi's disk (tests/pi/image.sh)"
t=$(date +%s)
make --no-print-directory -j2 all build/tests/imgdiff >/dev/null &&
    make --no-print-directory -j2 ARCH=arm64 all >/dev/null
tally $? "builds: this machine's and arm64" || exit 1
python3 tests/pi/checks.py --write-config "$work/edukiosk.conf"
# debootstrap and chroot need root; QEMU and the checks do not.
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo sh tests/pi/image.sh "$work/image" build-arm64 "$work/edukiosk.conf" 2>&1 |
    tee "$work/image.log"
[ -z "$sudo" ] || $sudo chown -R "$(id -u):$(id -g)" "$work/image"
[ -f "$work/image/disk.img" ]
tally $? "image: Debian bookworm arm64, edukiosk installed by deploy/install.sh ($(since "$t"))" ||
    exit 1

echo "== the emulated Pi (tests/pi/checks.py)"
t=$(date +%s)
python3 tests/pi/checks.py "$work" "$work/image" build/edukiosk build/tests/imgdiff 2>&1 |
    tee "$work/checks.log"
count "$work/checks.log" "emulated Pi ($(since "$t"))"

[ -n "$failures" ] && echo "failed:$failures"
echo "test-pi took $(since "$t0")"
echo "test-pi: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
