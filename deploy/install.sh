#!/bin/sh
# Installs edukiosk as a console kiosk service on Raspberry Pi OS bookworm
# or Debian 12.  Safe to run again: that is also how to update.
#
#   sudo deploy/install.sh [--no-start] [--no-deps] [--node-exporter]
#                          [--prefix DIR] [--prebuilt BUILD]
#
#   --no-start        enable the service but do not (re)start it now
#   --no-deps         do not install Debian packages (already there)
#   --prebuilt BUILD  install BUILD/edukiosk, built elsewhere (make ARCH=arm64
#                     on a PC, say), instead of building here: no compiler
#                     or headers on the Pi, only the libraries
#   --node-exporter   also install prometheus-node-exporter and link the
#                     kiosk's metrics into its textfile collector
#   --prefix DIR      install below DIR (default /usr/local)
set -eu

usage() {
    sed -n '2,16s/^# \{0,1\}//p' "$0"
}

prefix=/usr/local
start=yes
deps=yes
node_exporter=no
prebuilt=""
while [ $# -gt 0 ]; do
    case "$1" in
    --no-start) start=no ;;
    --no-deps) deps=no ;;
    --node-exporter) node_exporter=yes ;;
    --prefix)
        [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }
        prefix=$2
        shift
        ;;
    --prefix=*) prefix=${1#--prefix=} ;;
    --prebuilt)
        [ $# -ge 2 ] || { echo "install.sh: --prebuilt needs a build directory" >&2; exit 2; }
        prebuilt=$2
        shift
        ;;
    --prebuilt=*) prebuilt=${1#--prebuilt=} ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
case "$prefix" in
/*) ;;
*) echo "install.sh: --prefix must be an absolute path" >&2; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: run as root: sudo $0 $*" >&2
    exit 1
fi

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ -n "$prebuilt" ] && [ ! -x "$prebuilt/edukiosk" ]; then
    echo "install.sh: no program $prebuilt/edukiosk (make ARCH=arm64 builds build-arm64/)" >&2
    exit 2
fi
conf_dir=/etc/edukiosk
conf=$conf_dir/edukiosk.conf
unit=edukiosk.service
bin=$prefix/bin/edukiosk

say() { printf '==> %s\n' "$*"; }
warn() { printf 'install.sh: warning: %s\n' "$*" >&2; }

# systemd is running (not a chroot or an image being built).
systemd_running() { [ -d /run/systemd/system ]; }

# 1. Packages: build tools and libraries (only the libraries for a
#    program built elsewhere), the CJK fonts.
if [ "$deps" = yes ]; then
    say "Debian packages"
    if [ -n "$prebuilt" ]; then
        sh deploy/deps.sh libs run
    else
        sh deploy/deps.sh build run
    fi
fi

# 2. Build as the user who called sudo (no root-owned build files in their
#    checkout), install as root.
if [ -n "$prebuilt" ]; then
    say "installing $prebuilt/edukiosk to $prefix"
    sh deploy/install-files.sh "$prebuilt/edukiosk" "$prefix"
    if ! "$bin" --version >/dev/null; then
        echo "install.sh: $bin does not run here (built for another architecture?" \
            "file $prebuilt/edukiosk)" >&2
        exit 1
    fi
else
    say "building"
    builder=${SUDO_USER:-root}
    if [ "$builder" != root ] && [ "$(stat -c %U .)" = "$builder" ]; then
        runuser -u "$builder" -- make PREFIX="$prefix" all
    else
        make PREFIX="$prefix" all
    fi
    say "installing to $prefix"
    make PREFIX="$prefix" install
fi

# 3. The service user.  Device access comes from SupplementaryGroups= in
#    the unit; the groups must exist for the unit to start.
for g in video render input; do
    getent group "$g" >/dev/null || groupadd --system "$g"
done
getent group edukiosk >/dev/null || groupadd --system edukiosk
if ! getent passwd edukiosk >/dev/null; then
    say "creating system user edukiosk"
    useradd --system --gid edukiosk --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin --comment "edukiosk lobby display" edukiosk
fi

# 4. The configuration: never overwrite one that exists.
install -d -m 0755 "$conf_dir"
if [ ! -e "$conf" ]; then
    say "installing $conf (edit it: feed url, sites, schedule)"
    install -m 0644 deploy/edukiosk.conf.example "$conf"
else
    say "keeping $conf"
fi
if ! "$bin" --config "$conf" --print-config >/dev/null; then
    warn "$conf has errors (above); the service will not start until they are fixed"
fi

# 5. The unit.  systemd reads /usr/local/lib/systemd/system and
#    /usr/lib/systemd/system; other prefixes get a copy in /etc.
unit_src=$top/deploy/$unit
case "$prefix" in
/usr/local | /usr) unit_dst=$prefix/lib/systemd/system/$unit ;;
*) unit_dst=/etc/systemd/system/$unit ;;
esac
tmp_unit=$(mktemp)
trap 'rm -f "$tmp_unit"' EXIT
sed "s|/usr/local/bin/edukiosk|$bin|g" "$unit_src" >"$tmp_unit"
if ! cmp -s "$tmp_unit" "$unit_dst" 2>/dev/null; then
    say "installing $unit_dst"
    install -D -m 0644 "$tmp_unit" "$unit_dst"
fi
if systemd_running; then
    systemctl daemon-reload
fi
systemctl enable "$unit"

# 6. Console blanking: the kernel blanks an idle console after 10 minutes,
#    which on some drivers also blanks the kiosk's picture.
for cmdline in /boot/firmware/cmdline.txt /boot/cmdline.txt; do
    [ -f "$cmdline" ] || continue
    [ -L "$cmdline" ] && continue
    if grep -q 'consoleblank=0' "$cmdline"; then
        break
    fi
    say "disabling console blanking in $cmdline (after the next boot)"
    [ -e "$cmdline.edukiosk-orig" ] || cp -p "$cmdline" "$cmdline.edukiosk-orig"
    if grep -q 'consoleblank=' "$cmdline"; then
        sed -i 's/consoleblank=[0-9]*/consoleblank=0/' "$cmdline"
    else
        # One line only: the firmware reads just the first.
        sed -i '1 s/[[:space:]]*$/ consoleblank=0/' "$cmdline"
    fi
    break
done
# And now, for the consoles that exist.
for tty in /dev/tty1 /dev/tty7; do
    [ -c "$tty" ] || continue
    TERM=linux setterm --blank 0 --powersave off --powerdown 0 >"$tty" 2>/dev/null ||
        true
done

# 7. Optional: Prometheus node_exporter reads the kiosk's metrics.  The
#    textfile directory is on the SD card, the metrics are in RAM: a link
#    joins them without writing to the card.
if [ "$node_exporter" = yes ]; then
    if [ "$deps" = yes ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            prometheus-node-exporter
    fi
    textfile_dir=/var/lib/prometheus/node-exporter
    install -d -m 0755 "$textfile_dir"
    ln -sfn /run/edukiosk/metrics.prom "$textfile_dir/edukiosk.prom"
    say "linked $textfile_dir/edukiosk.prom -> /run/edukiosk/metrics.prom"
fi

# 8. A desktop session holds the display: the console service cannot draw.
#    Debian boots to graphical.target even with no desktop installed; a
#    display manager (lightdm on Raspberry Pi OS) is what takes the screen.
if [ -e /etc/systemd/system/display-manager.service ] &&
    [ "$(systemctl get-default 2>/dev/null || true)" = graphical.target ]; then
    warn "this system boots to a desktop, which keeps the display to itself."
    warn "Either boot to the console (sudo raspi-config: System Options >"
    warn "Boot / Auto Login > Console Autologin; or: sudo systemctl set-default"
    warn "multi-user.target) or run edukiosk from the desktop's autostart"
    warn "instead (docs/operations.md) and: sudo systemctl disable $unit"
fi

# 9. Start (or restart, to run the new binary).
if [ "$start" = yes ] && systemd_running; then
    say "restarting $unit"
    systemctl restart "$unit" || warn "start failed: journalctl -u edukiosk -e"
fi

cat <<EOF

edukiosk $("$bin" --version 2>/dev/null | sed 's/^edukiosk //') is installed.

Next steps:
  1. Edit $conf: set [feed] url, [kiosk] sites and school, the
     [schedule] hours, [display] rotation for a portrait screen.
     Check it:  $bin --config $conf --print-config
  2. Apply it:  sudo systemctl reload edukiosk   (or restart)
  3. Watch it:  systemctl status edukiosk
                journalctl -u edukiosk -f
                cat /run/edukiosk/status.json
  4. Set the time zone if needed: sudo timedatectl set-timezone Asia/Shanghai
  5. Reboot once so that console blanking stays off: sudo reboot
To update later: git pull, then run this script again.
EOF
