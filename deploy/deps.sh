#!/bin/sh
# Installs the Debian packages edukiosk needs that are missing, using sudo
# when not root.  Debian 12 / Raspberry Pi OS bookworm.
#   deploy/deps.sh [build] [run] [test]    (default: build run)
set -eu

build_pkgs="build-essential pkg-config libsdl2-dev libsdl2-ttf-dev
libsdl2-image-dev libcurl4-openssl-dev libjansson-dev libicu-dev libinih-dev
libsystemd-dev libfontconfig-dev libssl-dev zlib1g-dev"
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
for group in "$@"; do
    case "$group" in
    build) want="$want $build_pkgs" ;;
    run) want="$want $run_pkgs" ;;
    test) want="$want $build_pkgs $run_pkgs $test_pkgs" ;;
    *) echo "deps.sh: unknown group '$group' (build, run, test)" >&2; exit 2 ;;
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
# shellcheck disable=SC2086
$sudo apt-get update -q || true
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing
