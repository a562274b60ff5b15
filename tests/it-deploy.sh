#!/bin/sh
# Integration test of everything that deploys and operates edukiosk:
# shell scripts, the systemd unit, the man page, `make install`, the
# Ansible playbook and its configuration template, the binary's
# configuration handling and exit codes, and the metrics it writes.
#   sh tests/it-deploy.sh BUILD_DIR/edukiosk     (from the top directory)
# Needs: shellcheck, systemd (systemd-analyze), kbd (chvt), man-db,
# ansible-core, prometheus (promtool).
set -eu
[ $# -eq 1 ] || { echo "usage: $0 PATH/TO/edukiosk" >&2; exit 2; }
cd "$(dirname "$0")/.."
top=$PWD
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
build=$(dirname "$bin")
[ -x "$bin" ] || { echo "it-deploy: $bin is not an executable" >&2; exit 2; }

tmp=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

failures=0
step() { printf '\n== %s\n' "$*"; }
ok() { printf 'ok: %s\n' "$*"; }
bad() {
    printf 'FAIL: %s\n' "$*"
    failures=$((failures + 1))
}
need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    bad "$1 is missing (Debian package $2; deploy/deps.sh test)"
    return 1
}

# ---------------------------------------------------------------------
step "shellcheck on every shell script"
if need shellcheck shellcheck; then
    if git rev-parse --git-dir >/dev/null 2>&1; then
        git ls-files -z -- '*.sh' >"$tmp/scripts"
    else
        find . -name '*.sh' -not -path './build*' -not -path './.git/*' -print0 \
            >"$tmp/scripts"
    fi
    if [ ! -s "$tmp/scripts" ]; then
        bad "no shell scripts found"
    elif xargs -0 shellcheck <"$tmp/scripts" >"$tmp/shellcheck.out" 2>&1; then
        ok "$(tr '\0' ' ' <"$tmp/scripts")"
    else
        cat "$tmp/shellcheck.out"
        bad "shellcheck"
    fi
fi

# ---------------------------------------------------------------------
step "make install DESTDIR=... PREFIX=/usr/local installs exactly the expected files"
root=$tmp/root
if make --no-print-directory BUILD="$build" install DESTDIR="$root" PREFIX=/usr/local \
    >"$tmp/install.out" 2>&1; then
    (cd "$root" && find . \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort) \
        >"$tmp/installed"
    LC_ALL=C sort >"$tmp/expected" <<'EOF'
usr/local/bin/edukiosk
usr/local/lib/systemd/system/edukiosk.service
usr/local/share/doc/edukiosk/edukiosk.conf.example
usr/local/share/edukiosk/default-feed.json
usr/local/share/edukiosk/fonts/LICENSE.fonts-noto-cjk
usr/local/share/edukiosk/fonts/NotoSansSC-Bold.otf
usr/local/share/edukiosk/fonts/NotoSansSC-Regular.otf
usr/local/share/edukiosk/images/logo.png
usr/local/share/man/man1/edukiosk.1
EOF
    if diff -u "$tmp/expected" "$tmp/installed"; then
        ok "$(wc -l <"$tmp/installed") files"
    else
        bad "installed file list differs (- expected, + installed)"
    fi
    unit=$root/usr/local/lib/systemd/system/edukiosk.service
    if [ -f "$unit" ] && cmp -s "$unit" deploy/edukiosk.service; then
        ok "unit installed unchanged for PREFIX=/usr/local"
    else
        bad "installed unit differs from deploy/edukiosk.service"
    fi
    ex=$root/usr/local/share/doc/edukiosk/edukiosk.conf.example
    if [ -f "$ex" ] && cmp -s "$ex" deploy/edukiosk.conf.example; then
        ok "example configuration installed"
    else
        bad "example configuration missing or different"
    fi
    [ -x "$root/usr/local/bin/edukiosk" ] || bad "binary not executable"
else
    cat "$tmp/install.out"
    bad "make install failed"
fi

# Another prefix: the unit must start the binary where it is.
root2=$tmp/root2
if make --no-print-directory BUILD="$build" install DESTDIR="$root2" \
    PREFIX=/opt/edukiosk >"$tmp/install2.out" 2>&1; then
    if grep -qx 'ExecStart=/opt/edukiosk/bin/edukiosk --config /etc/edukiosk/edukiosk.conf' \
        "$root2/opt/edukiosk/lib/systemd/system/edukiosk.service" 2>/dev/null; then
        ok "PREFIX=/opt/edukiosk: ExecStart follows the prefix"
    else
        bad "PREFIX=/opt/edukiosk: the installed unit does not run /opt/edukiosk/bin/edukiosk"
    fi
else
    cat "$tmp/install2.out"
    bad "make install PREFIX=/opt/edukiosk failed"
fi

# ---------------------------------------------------------------------
step "man page renders without warnings"
if need man man-db; then
    if LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l deploy/edukiosk.1 \
        >"$tmp/man.txt" 2>"$tmp/man.err" && [ ! -s "$tmp/man.err" ]; then
        missing=""
        for word in --feed --config --window --size --render --check --exit-after \
            --stats --status-file --print-config SIGHUP SIGUSR1 SIGTERM \
            /etc/edukiosk/edukiosk.conf /run/edukiosk/status.json "EXIT STATUS"; do
            grep -q -F -- "$word" "$tmp/man.txt" || missing="$missing $word"
        done
        if [ -z "$missing" ]; then
            ok "$(wc -l <"$tmp/man.txt") lines"
        else
            bad "man page lacks:$missing"
        fi
    else
        cat "$tmp/man.err"
        bad "man reported problems"
    fi
fi

# ---------------------------------------------------------------------
step "systemd-analyze verify deploy/edukiosk.service"
if need systemd-analyze systemd && need chvt kbd; then
    # The real unit, with ExecStart pointing at the binary under test (verify
    # insists on existing executables) and the man page findable.
    mkdir -p "$tmp/unit" "$tmp/man/man1"
    sed "s|^ExecStart=/usr/local/bin/edukiosk |ExecStart=$bin |" deploy/edukiosk.service \
        >"$tmp/unit/edukiosk.service"
    cp deploy/edukiosk.1 "$tmp/man/man1/"
    if grep -q "^ExecStart=$bin " "$tmp/unit/edukiosk.service" &&
        MANPATH=$tmp/man systemd-analyze verify "$tmp/unit/edukiosk.service" \
            >"$tmp/verify.out" 2>&1 && [ ! -s "$tmp/verify.out" ]; then
        ok "no complaints"
    else
        cat "$tmp/verify.out"
        bad "systemd-analyze verify"
    fi
    # What the service relies on is really there.
    for want in Type=notify NotifyAccess=main WatchdogSec=30 Restart=always RestartSec=2 \
        StartLimitIntervalSec=0 User=edukiosk "SupplementaryGroups=video render input" \
        CacheDirectory=edukiosk RuntimeDirectory=edukiosk ConfigurationDirectory=edukiosk \
        NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
        ProtectKernelTunables=yes ProtectControlGroups=yes \
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK" \
        "ExecStart=/usr/local/bin/edukiosk --config /etc/edukiosk/edukiosk.conf"; do
        grep -qxF "$want" deploy/edukiosk.service || bad "unit lacks $want"
    done
    if grep -qE '^(PrivateDevices|DevicePolicy|ProtectClock)=yes' deploy/edukiosk.service; then
        bad "unit hides the display devices (PrivateDevices/DevicePolicy/ProtectClock)"
    fi
fi

# ---------------------------------------------------------------------
step "ansible: playbook syntax and the configuration template"
if need ansible-playbook ansible-core; then
    export ANSIBLE_HOME="$tmp/ansible" ANSIBLE_LOCAL_TEMP="$tmp/ansible/tmp"
    export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0
    export ANSIBLE_ROLES_PATH="$top/deploy/ansible/roles"
    cd deploy/ansible
    if ansible-playbook --syntax-check -i inventory.example.ini site.yml \
        >"$tmp/syntax.out" 2>&1; then
        ok "syntax"
    else
        cat "$tmp/syntax.out"
        bad "ansible-playbook --syntax-check"
    fi
    # Render every example host's configuration with the role's own task,
    # which validates it with the binary before writing it.
    cat >"$tmp/render.yml" <<EOF
- hosts: kiosks
  connection: local
  gather_facts: false
  become: false
  vars:
    edukiosk_manage_service: false
    edukiosk_bin: "$bin"
    edukiosk_config_path: "$tmp/conf/{{ inventory_hostname }}.conf"
  tasks:
    - ansible.builtin.include_role:
        name: edukiosk
        tasks_from: config.yml
EOF
    if ansible-playbook -i inventory.example.ini "$tmp/render.yml" \
        -e '{"edukiosk_extra": {"feed": {"max_feed_bytes": "4M"}, "display": {"vsync": false}}}' \
        >"$tmp/render.out" 2>&1; then
        ok "templates rendered and validated"
    else
        cat "$tmp/render.out"
        bad "rendering the configuration template"
    fi
    c=$tmp/conf/lobby-north-2.conf
    if [ -f "$c" ] && "$bin" --config "$c" --print-config >"$tmp/eff" 2>"$tmp/eff.err" &&
        [ ! -s "$tmp/eff.err" ]; then
        for line in "url = https://cdn.example.org/district/feed.json" \
            "sites = north, secondary, canteen" "school = 北区第一中学" "rotation = 90" \
            "video_driver = kmsdrm" "mon = 06:30-21:30" "sat = 08:00-12:00" "sun = off" \
            "off_cmd = cec-ctl -d /dev/cec0 --playback --to 0 --standby" \
            "max_feed_bytes = 4M" "vsync = no"; do
            grep -qxF "$line" "$tmp/eff" || bad "lobby-north-2: effective config lacks '$line'"
        done
        ok "lobby-north-2 effective configuration"
    else
        cat "$tmp/eff.err" 2>/dev/null || true
        bad "lobby-north-2 configuration does not load cleanly"
    fi
    grep -qxF "language = en" "$tmp/conf/lobby-east-1.conf" 2>/dev/null ||
        bad "lobby-east-1: group variables not applied"
    # A bad value in the inventory must not reach a screen.
    if ansible-playbook -i inventory.example.ini "$tmp/render.yml" --limit lobby-east-1 \
        -e edukiosk_rotation=45 -e "edukiosk_config_path=$tmp/conf/bad.conf" \
        >"$tmp/bad.out" 2>&1; then
        bad "a rotation of 45 passed validation"
    elif [ -e "$tmp/conf/bad.conf" ]; then
        bad "an invalid configuration was written"
    else
        ok "invalid inventory value rejected"
    fi
    cd "$top"
fi

# ---------------------------------------------------------------------
step "binary: configuration and usage errors exit 2"
expect_exit() { # code description command...
    want=$1
    what=$2
    shift 2
    set +e
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    set -e
    if [ "$got" -eq "$want" ]; then
        ok "$what (exit $got)"
    else
        cat "$tmp/out" "$tmp/err"
        bad "$what: exit $got, want $want"
    fi
}
expect_exit 0 "--version" "$bin" --version
grep -q '^edukiosk [0-9]' "$tmp/out" || bad "--version prints '$(cat "$tmp/out")'"
expect_exit 0 "--help" "$bin" --help
grep -q -- '--print-config' "$tmp/out" || bad "--help lacks --print-config"
expect_exit 2 "unknown option" "$bin" --no-config --bogus
grep -q "Try 'edukiosk --help'" "$tmp/err" || bad "unknown option: no hint"
expect_exit 2 "bad --window" "$bin" --no-config --window 12x
expect_exit 2 "missing -c file" "$bin" -c "$tmp/absent.conf" --print-config
printf '[display]\nrotation = 45\n' >"$tmp/bad.conf"
expect_exit 2 "bad config value" "$bin" -c "$tmp/bad.conf" --print-config
grep -qxF "$tmp/bad.conf:2: rotation: must be 0, 90, 180 or 270" "$tmp/err" ||
    bad "config error message: $(cat "$tmp/err")"
expect_exit 2 "EDUKIOSK_CONFIG names a bad file" env EDUKIOSK_CONFIG="$tmp/bad.conf" \
    "$bin" --print-config
expect_exit 0 "the example configuration" "$bin" -c deploy/edukiosk.conf.example \
    --print-config
[ -s "$tmp/err" ] && bad "example configuration warns: $(cat "$tmp/err")"
# install.sh makes the example the service's configuration: on the console
# SDL must be told KMS/DRM, or it may settle for a driver that shows nothing.
grep -qxF "video_driver = kmsdrm" "$tmp/out" ||
    bad "the example configuration does not select the kmsdrm video driver"
expect_exit 0 "--print-config-reference" "$bin" --print-config-reference
sed -n '/<!-- BEGIN KEYS -->/,/<!-- END KEYS -->/p' docs/configuration.md |
    sed '1d;$d' >"$tmp/ref.doc"
cmp -s "$tmp/out" "$tmp/ref.doc" || bad "docs/configuration.md key table is out of date"

# ---------------------------------------------------------------------
step "the alert rules in docs/operations.md"
if need promtool prometheus; then
    sed -n '/<!-- BEGIN ALERTS -->/,/<!-- END ALERTS -->/p' docs/operations.md |
        sed '/^<!--/d;/^```/d' >"$tmp/alerts.yml"
    if [ -s "$tmp/alerts.yml" ] && promtool check rules "$tmp/alerts.yml" >"$tmp/rules.out" 2>&1; then
        ok "$(grep -c 'alert:' "$tmp/alerts.yml") rules"
    else
        cat "$tmp/rules.out"
        bad "promtool check rules"
    fi
fi

# ---------------------------------------------------------------------
step "binary: status JSON and metrics (promtool) from a short offscreen run"
if need promtool prometheus; then
    run=$tmp/run
    mkdir -p "$run"
    set +e
    SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy timeout 120 "$bin" --no-config \
        --window 640x360 --exit-after 3 --status-file "$run/status.json" \
        --set "metrics_file=$run/metrics.prom" --set "cache_dir=$tmp/cache" \
        >"$tmp/run.out" 2>"$tmp/run.err"
    rc=$?
    set -e
    if [ "$rc" -ne 0 ]; then
        cat "$tmp/run.out" "$tmp/run.err"
        bad "offscreen run exited $rc"
    fi
    if [ -s "$run/metrics.prom" ] &&
        promtool check metrics <"$run/metrics.prom" >"$tmp/promtool.out" 2>&1 &&
        [ ! -s "$tmp/promtool.out" ]; then
        for m in edukiosk_up_since_seconds edukiosk_deck_info edukiosk_slides_shown_total \
            edukiosk_deck_swaps_total edukiosk_frame_time_seconds edukiosk_display_on; do
            grep -q "^$m" "$run/metrics.prom" || bad "metrics lack $m"
        done
        ok "metrics pass promtool check metrics"
    else
        cat "$tmp/promtool.out" "$run/metrics.prom" 2>/dev/null || true
        bad "metrics file missing or rejected by promtool"
    fi
    if [ -s "$run/status.json" ] && python3 - "$run/status.json" <<'EOF'; then
import json, re, sys
st = json.load(open(sys.argv[1]))
rfc3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
for k in ("version", "pid", "started", "deck", "fetch", "display", "slide"):
    assert k in st, k
assert rfc3339.match(st["started"]), st["started"]
assert st["deck"]["source"] == "builtin", st["deck"]
assert st["deck"]["slides"] >= 1
for k in ("url", "last_attempt", "last_success", "result", "http_status", "error"):
    assert k in st["fetch"], k
assert st["display"]["width"] == 640 and st["display"]["height"] == 360, st["display"]
assert st["slide"]["index"] >= 1
EOF
        ok "status JSON"
    else
        cat "$run/status.json" 2>/dev/null || true
        bad "status JSON missing or incomplete"
    fi
fi

printf '\n'
if [ "$failures" -gt 0 ]; then
    echo "it-deploy: $failures failure(s)"
    exit 1
fi
echo "it-deploy: all checks passed"
