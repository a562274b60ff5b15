#!/bin/sh
# Removes what deploy/install.sh installed.
#
#   sudo deploy/uninstall.sh [--purge] [--prefix DIR]
#
#   --purge        also remove /etc/edukiosk, the cache and the edukiosk user
#   --prefix DIR   the prefix used for installing (default /usr/local)
#
# The kernel command line keeps consoleblank=0 (the original is saved as
# cmdline.txt.edukiosk-orig next to it).
set -eu

prefix=/usr/local
purge=no
while [ $# -gt 0 ]; do
    case "$1" in
    --purge) purge=yes ;;
    --prefix)
        [ $# -ge 2 ] || { echo "uninstall.sh: --prefix needs a directory" >&2; exit 2; }
        prefix=$2
        shift
        ;;
    --prefix=*) prefix=${1#--prefix=} ;;
    -h | --help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "uninstall.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
case "$prefix" in
/*) ;;
*) echo "uninstall.sh: --prefix must be an absolute path" >&2; exit 2 ;;
esac
if [ "$(id -u)" -ne 0 ]; then
    echo "uninstall.sh: run as root: sudo $0 $*" >&2
    exit 1
fi

unit=edukiosk.service
say() { printf '==> %s\n' "$*"; }

if [ -d /run/systemd/system ]; then
    systemctl disable --now "$unit" 2>/dev/null || true
else
    systemctl disable "$unit" 2>/dev/null || true
fi
for f in "$prefix/lib/systemd/system/$unit" "/etc/systemd/system/$unit"; do
    if [ -e "$f" ]; then
        say "removing $f"
        rm -f "$f"
    fi
done
[ -d /run/systemd/system ] && systemctl daemon-reload

for f in "$prefix/bin/edukiosk" "$prefix/share/man/man1/edukiosk.1" \
    /var/lib/prometheus/node-exporter/edukiosk.prom; do
    if [ -e "$f" ] || [ -L "$f" ]; then
        say "removing $f"
        rm -f "$f"
    fi
done
for d in "$prefix/share/edukiosk" "$prefix/share/doc/edukiosk"; do
    if [ -d "$d" ]; then
        say "removing $d"
        rm -rf "$d"
    fi
done

if [ "$purge" = yes ]; then
    for d in /etc/edukiosk /var/cache/edukiosk /run/edukiosk; do
        if [ -d "$d" ]; then
            say "removing $d"
            rm -rf "$d"
        fi
    done
    if getent passwd edukiosk >/dev/null; then
        say "removing user edukiosk"
        userdel edukiosk
    fi
    if getent group edukiosk >/dev/null; then
        groupdel edukiosk 2>/dev/null || true
    fi
else
    echo "Kept /etc/edukiosk, /var/cache/edukiosk and the edukiosk user (--purge removes them)."
fi
echo "edukiosk is uninstalled."
