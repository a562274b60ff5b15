#!/bin/sh
# Installs the Debian packages edukiosk needs that are missing, using sudo
# when not root.  Debian 12 / Raspberry Pi OS bookworm.
#   deploy/deps.sh [build] [run] [test] [cross-arm64] [cross-armhf]
#                                           (default: build run)
# cross-ARCH: a cross compiler, the ARCH libraries next to the native ones
# (Debian multiarch: enables ARCH in dpkg first) and qemu-user to run the
# ARM build's tests (make test-arm).
set -eu

build_libs="libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev libcurl4-openssl-dev
libjansson-dev libicu-dev libinih-dev libsystemd-dev libfontconfig-dev
libssl-dev zlib1g-dev"
build_pkgs="build-essential pkg-config $build_libs"
# Runtime: a CJK system font for characters the bundled subset lacks, CA
# certificates for https feeds, chvt (kbd) for the console service, zones.
run_pkgs="fonts-noto-cjk ca-certificates kbd tzdata"
# Tests: cmocka, the HTTP test server (python3), valgrind, the checks of
# the deploy files (shellcheck, systemd-analyze, ansible-playbook, promtool,
# man), a Latin font with combining marks, and Xvfb for make bench.
test_pkgs="libcmocka-dev python3 valgrind shellcheck systemd ansible-core
prometheus man-db fonts-dejavu-core xvfb time procps"

[ $# -gt 0 ] || set -- build run
want=""
new_arches=""
for group in "$@"; do
    case "$group" in
    build) want="$want $build_pkgs" ;;
    run) want="$want $run_pkgs" ;;
    test) want="$want $build_pkgs $run_pkgs $test_pkgs" ;;
    cross-arm64 | cross-armhf)
        arch=${group#cross-}
        # The fonts and python3 of the tests are the native ones.
        want="$want crossbuild-essential-$arch qemu-user-static python3 pkgconf:$arch"
        for p in $build_libs libcmocka-dev; do
            want="$want $p:$arch"
        done
        dpkg --print-foreign-architectures | grep -qx "$arch" ||
            new_arches="$new_arches $arch"
        ;;
    *)
        echo "deps.sh: unknown group '$group' (build, run, test, cross-arm64, cross-armhf)" >&2
        exit 2
        ;;
    esac
done

missing=""
for p in $want; do
    case " $missing " in *" $p "*) continue ;; esac
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
        missing="$missing $p"
    fi
done
[ -n "$missing" ] || exit 0

echo "deps.sh: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "deps.sh: need root or sudo to install:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
for arch in $new_arches; do
    echo "deps.sh: enabling the $arch architecture (dpkg --add-architecture)"
    $sudo dpkg --add-architecture "$arch"
done
# shellcheck disable=SC2086
$sudo apt-get update -q || true
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing
