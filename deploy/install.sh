#!/bin/sh
# Installs edukiosk as a console kiosk service on Raspberry Pi OS bookworm
# or Debian 12; with --editor, the feed editor's web service instead.  Safe
# to run again: that is also how to update.
#
#   sudo deploy/install.sh [--editor] [--no-start] [--no-deps]
#                          [--node-exporter] [--prefix DIR] [--prebuilt BUILD]
#
#   --editor          the web editor of the feed instead of the kiosk:
#                     edukiosk-editor.service, its user edukiosk-editor,
#                     /etc/edukiosk/editor.conf (docs/editor.md)
#   --no-start        enable the service but do not (re)start it now
#   --no-deps         do not install Debian packages (already there)
#   --prebuilt BUILD  install BUILD/edukiosk and BUILD/edukiosk-editor,
#                     built elsewhere (make ARCH=arm64 on a PC, say),
#                     instead of building here: no compiler or headers on
#                     the Pi, only the libraries
#   --node-exporter   also install prometheus-node-exporter and link the
#                     kiosk's metrics into its textfile collector
#   --prefix DIR      install below DIR (default /usr/local)
set -eu

usage() {
    sed -n '2,22s/^# \{0,1\}//p' "$0"
}

prefix=/usr/local
start=yes
deps=yes
node_exporter=no
prebuilt=""
editor=no
while [ $# -gt 0 ]; do
    case "$1" in
    --editor) editor=yes ;;
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
if [ "$editor" = yes ] && [ "$node_exporter" = yes ]; then
    echo "install.sh: --node-exporter is for the kiosk, not with --editor" >&2
    exit 2
fi

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
if [ -n "$prebuilt" ] && [ "$editor" = yes ] && [ ! -x "$prebuilt/edukiosk-editor" ]; then
    echo "install.sh: no program $prebuilt/edukiosk-editor (make builds it beside edukiosk)" >&2
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
#    program built elsewhere), the CJK fonts.  The editor needs the same
#    ones (its previews are drawn by the kiosk's renderer) and
#    libmicrohttpd, which the same groups list.
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
    # (and $prebuilt/edukiosk-editor when it is there)
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

# The unit $1 (a file of deploy/) where systemd finds it, starting the
# binary $2, and enabled: systemd reads /usr/local/lib/systemd/system and
# /usr/lib/systemd/system; other prefixes get a copy in /etc.
install_unit() {
    case "$prefix" in
    /usr/local | /usr) unit_dst=$prefix/lib/systemd/system/$1 ;;
    *) unit_dst=/etc/systemd/system/$1 ;;
    esac
    tmp_unit=$(mktemp)
    sed "s|^ExecStart=/usr/local/bin/[^ ]* |ExecStart=$2 |" "$top/deploy/$1" >"$tmp_unit"
    if ! cmp -s "$tmp_unit" "$unit_dst" 2>/dev/null; then
        say "installing $unit_dst"
        install -D -m 0644 "$tmp_unit" "$unit_dst"
    fi
    rm -f "$tmp_unit"
    if systemd_running; then
        systemctl daemon-reload
    fi
    systemctl enable "$1"
}

# The other service of this machine, if it runs, runs a binary just
# replaced: restart it too (unless --no-start).
restart_if_active() {
    if [ "$start" = yes ] && systemd_running && systemctl is-active --quiet "$1"; then
        say "restarting $1 (its program was updated)"
        systemctl restart "$1" || warn "$1 did not start again: journalctl -u $1 -e"
    fi
}

if [ "$editor" = yes ]; then
    ebin=$prefix/bin/edukiosk-editor
    eunit=edukiosk-editor.service
    econf=$conf_dir/editor.conf
    state=/var/lib/edukiosk-editor
    if ! "$ebin" --version >/dev/null; then
        echo "install.sh: $ebin does not run here" >&2
        exit 1
    fi

    # E1. A system user of its own: it owns the accounts, the draft, the
    #     versions and the published feed, and nothing of the kiosk's.
    getent group edukiosk-editor >/dev/null || groupadd --system edukiosk-editor
    if ! getent passwd edukiosk-editor >/dev/null; then
        say "creating system user edukiosk-editor"
        useradd --system --gid edukiosk-editor --no-create-home --home-dir "$state" \
            --shell /usr/sbin/nologin --comment "edukiosk feed editor" edukiosk-editor
    fi
    # The unit's StateDirectory=, made now so that accounts can be added
    # before the service first starts (--add-user run as root gives the
    # accounts file to the directory's owner).  All in it is the service's.
    install -d -o edukiosk-editor -g edukiosk-editor -m 0750 "$state"
    chown -R edukiosk-editor:edukiosk-editor "$state"

    # E2. The configuration: never overwrite one that exists.
    install -d -m 0755 "$conf_dir"
    if [ ! -e "$econf" ]; then
        say "installing $econf"
        install -m 0644 deploy/editor.conf.example "$econf"
    else
        say "keeping $econf"
    fi
    # Checked as the service's user: the files it names must be readable by it.
    if ! runuser -u edukiosk-editor -- "$ebin" --config "$econf" --print-config >/dev/null; then
        warn "$econf has errors (above); the service will not start until they are fixed"
    fi

    # E3. The unit, enabled, and (re)started to run the new binary.
    install_unit "$eunit" "$ebin"
    if [ "$start" = yes ] && systemd_running; then
        say "restarting $eunit"
        systemctl restart "$eunit" || warn "start failed: journalctl -u edukiosk-editor -e"
    fi
    restart_if_active "$unit"

    case "$prefix" in
    /usr/local | /usr) add_cmd=edukiosk-editor ;;
    *) add_cmd=$ebin ;;
    esac
    listen=$("$ebin" --config "$econf" --print-config 2>/dev/null |
        sed -n 's/^listen = //p')
    cat <<EOF

edukiosk-editor $("$ebin" --version 2>/dev/null | sed 's/^edukiosk-editor //') is installed.
It listens on ${listen:-127.0.0.1:8080} (listen in $econf).

Next steps:
  1. Add an account for each person who edits (the password is asked twice):
       sudo $add_cmd --add-user NAME
  2. For the school's PCs, give it HTTPS, either
       - nginx in front of it: $top/deploy/nginx-editor.conf.example, or
       - tls_cert, tls_key and listen = 0.0.0.0:8443 in $econf,
     then: sudo systemctl restart edukiosk-editor
  3. Sign what is published (recommended): a key from minisign -G -W as
     signing_key in $econf, its public key in the kiosks' feed_public_key.
  4. Point the kiosks at the published feed ([feed] url in
     /etc/edukiosk/edukiosk.conf on each):
       url = https://HOST/feed.json          (through the proxy)
       url = http://HOST:8080/feed.json      (the editor itself, listen = 0.0.0.0:8080)
       url = http://127.0.0.1:8080/feed.json (a kiosk on this machine)
     or copy $state/published/ to the web server the kiosks use.
  5. Watch it:  systemctl status edukiosk-editor
                journalctl -u edukiosk-editor -f
                sudo tail $state/audit.log
The guide, in Chinese and English: docs/editor.md; man edukiosk-editor.
EOF
    exit 0
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

# 5. The unit, enabled.
install_unit "$unit" "$bin"

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
restart_if_active edukiosk-editor.service

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
