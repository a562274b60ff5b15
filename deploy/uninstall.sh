#!/bin/sh
# Removes what deploy/install.sh installed: the kiosk and the editor.
#
#   sudo deploy/uninstall.sh [--purge] [--prefix DIR]
#
#   --purge        also remove /etc/edukiosk, the cache, the editor's data
#                  (/var/lib/edukiosk-editor: accounts, versions, the
#                  published feed; back it up first) and both users
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
    -h | --help) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
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

say() { printf '==> %s\n' "$*"; }

for unit in edukiosk.service edukiosk-editor.service; do
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
done
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
fi

for f in "$prefix/bin/edukiosk" "$prefix/share/man/man1/edukiosk.1" \
    "$prefix/bin/edukiosk-editor" "$prefix/share/man/man1/edukiosk-editor.1" \
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
    for d in /etc/edukiosk /var/cache/edukiosk /run/edukiosk /var/lib/edukiosk-editor; do
        if [ -d "$d" ]; then
            say "removing $d"
            rm -rf "$d"
        fi
    done
    for u in edukiosk edukiosk-editor; do
        if getent passwd "$u" >/dev/null; then
            say "removing user $u"
            userdel "$u"
        fi
        if getent group "$u" >/dev/null; then
            groupdel "$u" 2>/dev/null || true
        fi
    done
else
    echo "Kept /etc/edukiosk, /var/cache/edukiosk, the editor's data in"
    echo "/var/lib/edukiosk-editor and the users edukiosk and edukiosk-editor"
    echo "(--purge removes them)."
fi
echo "edukiosk is uninstalled."
