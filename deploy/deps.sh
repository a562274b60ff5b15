#!/bin/sh
# Installs the Debian packages edukiosk and edukiosk-editor need that are
# missing, using sudo when not root.  Debian 12 / Raspberry Pi OS bookworm.
#   deploy/deps.sh [--list] [build] [run] [libs] [test] [cross-arm64]
#                  [cross-armhf] [pi] [bench] [fuzz] (default: build run)
# libs: the shared libraries of the binaries built elsewhere (install.sh
# --prebuilt), without compilers and headers.
# cross-ARCH: a cross compiler, the ARCH libraries next to the native ones
# (Debian multiarch: enables ARCH in dpkg first) and qemu-user to run the
# ARM build's tests (make test-arm).
# pi: what the emulated Raspberry Pi of make test-pi needs on this machine.
# bench: make bench, edukiosk beside a Chromium kiosk in Xvfb (the
# measuring tool is built from tests/benchrun.c against Xlib).
# fuzz: clang and libFuzzer for the fuzz targets (make fuzz; make test runs
# them briefly, so test includes it).
# --list: print the packages of the groups, one per line; install nothing.
set -eu

# The editor (edukiosk-editor) links the same libraries as the kiosk, and
# libmicrohttpd for its web server.
build_libs="libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev libcurl4-openssl-dev
libjansson-dev libicu-dev libinih-dev libsystemd-dev libfontconfig-dev
zlib1g-dev libsodium-dev libmicrohttpd-dev"
build_pkgs="build-essential pkg-config $build_libs"
# Runtime: a CJK system font for characters the bundled subset lacks, CA
# certificates for https feeds, chvt (kbd) for the console service, zones.
run_pkgs="fonts-noto-cjk ca-certificates kbd tzdata"
# The libraries the two binaries link, for a machine that does not build
# them (libmicrohttpd12: the editor only), and Mesa's GBM/EGL/GLES drivers
# for the console (SDL loads them at run time, so no package depends on
# them).
lib_pkgs="libsdl2-2.0-0 libsdl2-ttf-2.0-0 libsdl2-image-2.0-0 libcurl4
libjansson4 libicu72 libinih1 libsystemd0 libfontconfig1 zlib1g libsodium23
libmicrohttpd12 libgbm1 libegl1 libegl-mesa0 libgles2 libgl1 libgl1-mesa-dri"
# Tests: cmocka, the HTTP test server (python3), valgrind, the checks of
# the deploy files (shellcheck, systemd-analyze, ansible-playbook, promtool,
# man), a Latin font with combining marks, Xvfb for make bench, minisign
# for the signed feeds, and the editor's browser tests (headless Chromium
# driven by chromedriver through Selenium).
test_pkgs="libcmocka-dev python3 valgrind shellcheck systemd ansible-core
prometheus man-db fonts-dejavu-core xvfb time procps minisign
python3-selenium chromium chromium-driver"
# make lint's static analysis of src/.
test_pkgs="$test_pkgs cppcheck clang-tidy"
fuzz_pkgs="clang-14 libfuzzer-14-dev"

list=no
if [ "${1:-}" = --list ]; then
    list=yes
    shift
fi
[ $# -gt 0 ] || set -- build run
want=""
new_arches=""
for group in "$@"; do
    case "$group" in
    build) want="$want $build_pkgs" ;;
    run) want="$want $run_pkgs" ;;
    libs) want="$want $lib_pkgs" ;;
    # QEMU for the virt machine and for debootstrap's ARM maintainer
    # scripts, mkfs.ext4 -d for the disk, socat to reach the test server.
    pi) want="$want qemu-system-arm qemu-user-static debootstrap e2fsprogs socat cpio xz-utils python3" ;;
    test) want="$want $build_pkgs $run_pkgs $test_pkgs $fuzz_pkgs" ;;
    bench) want="$want build-essential python3 chromium xvfb libx11-dev libxext-dev" ;;
    fuzz) want="$want $fuzz_pkgs" ;;
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
        echo "deps.sh: unknown group '$group' (build, run, libs, test, cross-arm64, cross-armhf, pi, bench, fuzz)" >&2
        exit 2
        ;;
    esac
done

if [ "$list" = yes ]; then
    # shellcheck disable=SC2086
    printf '%s\n' $want | awk '!seen[$0]++'
    exit 0
fi

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
