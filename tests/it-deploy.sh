#!/bin/sh
# Integration test of everything that deploys and operates edukiosk and
# its editor: shell scripts, the systemd units, the man pages, `make
# install`, install.sh --editor and uninstall.sh (as root: in a private
# mount namespace), the nginx example (when nginx is installed), the
# Ansible playbook and its configuration template, the binaries'
# configuration handling and exit codes, and the metrics the kiosk writes.
#   sh tests/it-deploy.sh BUILD_DIR/edukiosk     (from the top directory;
#   BUILD_DIR/edukiosk-editor is tested too)
# Needs: shellcheck, systemd (systemd-analyze), kbd (chvt), man-db,
# ansible-core, prometheus (promtool), python3.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 PATH/TO/edukiosk" >&2; exit 2; }
cd "$(dirname "$0")/.."
top=$PWD
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
build=$(dirname "$bin")
editor=$build/edukiosk-editor
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
usr/local/bin/edukiosk-editor
usr/local/lib/systemd/system/edukiosk-editor.service
usr/local/lib/systemd/system/edukiosk.service
usr/local/share/doc/edukiosk/editor.conf.example
usr/local/share/doc/edukiosk/edukiosk.conf.example
usr/local/share/doc/edukiosk/nginx-editor.conf.example
usr/local/share/edukiosk/default-feed.json
usr/local/share/edukiosk/fonts/LICENSE.fonts-noto-cjk
usr/local/share/edukiosk/fonts/NotoSansSC-Bold.otf
usr/local/share/edukiosk/fonts/NotoSansSC-Regular.otf
usr/local/share/edukiosk/images/logo.png
usr/local/share/man/man1/edukiosk-editor.1
usr/local/share/man/man1/edukiosk.1
EOF
    if diff -u "$tmp/expected" "$tmp/installed"; then
        ok "$(wc -l <"$tmp/installed") files"
    else
        bad "installed file list differs (- expected, + installed)"
    fi
    for u in edukiosk.service edukiosk-editor.service; do
        unit=$root/usr/local/lib/systemd/system/$u
        if [ -f "$unit" ] && cmp -s "$unit" "deploy/$u"; then
            ok "$u installed unchanged for PREFIX=/usr/local"
        else
            bad "installed unit differs from deploy/$u"
        fi
    done
    ex=$root/usr/local/share/doc/edukiosk/edukiosk.conf.example
    if [ -f "$ex" ] && cmp -s "$ex" deploy/edukiosk.conf.example; then
        ok "example configuration installed"
    else
        bad "example configuration missing or different"
    fi
    [ -x "$root/usr/local/bin/edukiosk" ] || bad "binary not executable"
    [ -x "$root/usr/local/bin/edukiosk-editor" ] || bad "editor binary not executable"
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
    if grep -qx 'ExecStart=/opt/edukiosk/bin/edukiosk-editor --config /etc/edukiosk/editor.conf' \
        "$root2/opt/edukiosk/lib/systemd/system/edukiosk-editor.service" 2>/dev/null; then
        ok "PREFIX=/opt/edukiosk: the editor's ExecStart follows the prefix"
    else
        bad "PREFIX=/opt/edukiosk: the installed editor unit does not run /opt/edukiosk/bin/edukiosk-editor"
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

if need man man-db; then
    if LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l deploy/edukiosk-editor.1 \
        >"$tmp/eman.txt" 2>"$tmp/eman.err" && [ ! -s "$tmp/eman.err" ]; then
        missing=""
        for word in --config --listen --data-dir --published-dir --set --add-user \
            --print-config /etc/edukiosk/editor.conf /var/lib/edukiosk-editor/users \
            audit.log feed.json.minisig SIGTERM "EXIT STATUS"; do
            grep -q -F -- "$word" "$tmp/eman.txt" || missing="$missing $word"
        done
        if [ -z "$missing" ]; then
            ok "edukiosk-editor.1: $(wc -l <"$tmp/eman.txt") lines"
        else
            bad "edukiosk-editor.1 lacks:$missing"
        fi
    else
        cat "$tmp/eman.err"
        bad "man reported problems in edukiosk-editor.1"
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
step "systemd-analyze verify deploy/edukiosk-editor.service"
if need systemd-analyze systemd; then
    mkdir -p "$tmp/eunit" "$tmp/eman/man1"
    sed "s|^ExecStart=/usr/local/bin/edukiosk-editor |ExecStart=$editor |" \
        deploy/edukiosk-editor.service >"$tmp/eunit/edukiosk-editor.service"
    cp deploy/edukiosk-editor.1 "$tmp/eman/man1/"
    if [ ! -x "$editor" ]; then
        bad "no $editor (make builds it)"
    elif grep -q "^ExecStart=$editor " "$tmp/eunit/edukiosk-editor.service" &&
        MANPATH=$tmp/eman systemd-analyze verify "$tmp/eunit/edukiosk-editor.service" \
            >"$tmp/everify.out" 2>&1 && [ ! -s "$tmp/everify.out" ]; then
        ok "no complaints"
    else
        cat "$tmp/everify.out"
        bad "systemd-analyze verify edukiosk-editor.service"
    fi
    for want in Type=notify User=edukiosk-editor Group=edukiosk-editor \
        StateDirectory=edukiosk-editor ConfigurationDirectory=edukiosk Restart=on-failure \
        NoNewPrivileges=yes CapabilityBoundingSet= ProtectSystem=strict ProtectHome=yes \
        PrivateTmp=yes PrivateDevices=yes "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" \
        MemoryMax=512M \
        "ExecStart=/usr/local/bin/edukiosk-editor --config /etc/edukiosk/editor.conf"; do
        grep -qxF "$want" deploy/edukiosk-editor.service || bad "editor unit lacks $want"
    done
    # Nothing to write but its state directory.
    if grep -qE '^(ReadWritePaths|DynamicUser)=' deploy/edukiosk-editor.service; then
        bad "editor unit: ReadWritePaths= or DynamicUser= (state belongs in StateDirectory=)"
    fi
fi

# ---------------------------------------------------------------------
step "the editor's configuration: example, man page and docs list every key"
if [ -x "$editor" ]; then
    expect0() { # description command...
        what=$1
        shift
        if "$@" >"$tmp/eout" 2>"$tmp/eerr" && [ ! -s "$tmp/eerr" ]; then
            return 0
        fi
        cat "$tmp/eout" "$tmp/eerr"
        bad "$what"
        return 1
    }
    "$editor" --version >"$tmp/eout" 2>&1 || bad "edukiosk-editor --version fails"
    grep -q '^edukiosk-editor [0-9]' "$tmp/eout" ||
        bad "edukiosk-editor --version prints '$(cat "$tmp/eout")'"
    : >"$tmp/empty.conf"
    if expect0 "edukiosk-editor --print-config of an empty file" \
        env -u STATE_DIRECTORY "$editor" --config "$tmp/empty.conf" --print-config; then
        cp "$tmp/eout" "$tmp/edefaults"
        sed -n 's/^\([a-z_]*\) = .*/\1/p' "$tmp/edefaults" >"$tmp/ekeys"
        [ -s "$tmp/ekeys" ] || bad "edukiosk-editor --print-config prints no keys"
    fi
    if expect0 "deploy/editor.conf.example does not load cleanly" \
        env -u STATE_DIRECTORY "$editor" --config deploy/editor.conf.example --print-config; then
        cmp -s "$tmp/eout" "$tmp/edefaults" ||
            bad "deploy/editor.conf.example changes a default while all is commented out"
    fi
    # Every key written as in the example, uncommented, gives the defaults:
    # the commented values are the real defaults.
    sed -n 's/^#\([a-z_]* =.*\)$/\1/p' deploy/editor.conf.example >"$tmp/uncommented.conf"
    if expect0 "deploy/editor.conf.example with every key uncommented does not load" \
        env -u STATE_DIRECTORY "$editor" --config "$tmp/uncommented.conf" --print-config; then
        cmp -s "$tmp/eout" "$tmp/edefaults" || {
            diff "$tmp/edefaults" "$tmp/eout" || true
            bad "a commented value in deploy/editor.conf.example is not the default"
        }
    fi
    missing=""
    while read -r k; do
        grep -q "^#$k =" deploy/editor.conf.example || missing="$missing example:$k"
        grep -q "$k" "$tmp/eman.txt" 2>/dev/null || missing="$missing man:$k"
        grep -q "\`$k\`" docs/editor.md || missing="$missing docs/editor.md:$k"
    done <"$tmp/ekeys"
    sed -n 's/^#\([a-z_]*\) =.*/\1/p' deploy/editor.conf.example | while read -r k; do
        grep -qx "$k" "$tmp/ekeys" || echo "$k"
    done >"$tmp/extra"
    if [ -n "$missing" ] || [ -s "$tmp/extra" ]; then
        bad "editor keys not documented:$missing; unknown in the example: $(cat "$tmp/extra")"
    else
        ok "$(wc -l <"$tmp/ekeys") keys in the example, the man page and docs/editor.md"
    fi
    printf '[editor]\nsession_hours = 0\n' >"$tmp/ebad.conf"
    set +e
    "$editor" --config "$tmp/ebad.conf" --print-config >/dev/null 2>"$tmp/eerr"
    rc=$?
    set -e
    if [ "$rc" -eq 2 ] && grep -q "^$tmp/ebad.conf:2: session_hours: " "$tmp/eerr"; then
        ok "a bad value: exit 2 and FILE:LINE: key: problem"
    else
        cat "$tmp/eerr"
        bad "a bad editor configuration value: exit $rc"
    fi
else
    bad "no $editor (make builds it)"
fi

# ---------------------------------------------------------------------
step "the nginx example in front of the editor"
if command -v nginx >/dev/null 2>&1; then
    ng=$tmp/nginx
    mkdir -p "$ng/logs"
    if openssl req -x509 -newkey rsa:2048 -nodes -keyout "$ng/key.pem" -out "$ng/cert.pem" \
        -days 1 -subj /CN=editor.school.example >/dev/null 2>&1; then
        sed -e "s|/etc/ssl/certs/editor.school.example.pem|$ng/cert.pem|" \
            -e "s|/etc/ssl/private/editor.school.example.key|$ng/key.pem|" \
            deploy/nginx-editor.conf.example >"$ng/site.conf"
        cat >"$ng/nginx.conf" <<EOF
error_log stderr;
pid $ng/nginx.pid;
events {}
http {
    access_log off;
    client_body_temp_path $ng/body;
    proxy_temp_path $ng/proxy;
    fastcgi_temp_path $ng/fastcgi;
    uwsgi_temp_path $ng/uwsgi;
    scgi_temp_path $ng/scgi;
    include $ng/site.conf;
}
EOF
        if nginx -t -q -p "$ng" -c "$ng/nginx.conf" >"$ng/t.out" 2>&1; then
            ok "nginx -t accepts deploy/nginx-editor.conf.example"
        else
            cat "$ng/t.out"
            bad "nginx -t rejects deploy/nginx-editor.conf.example"
        fi
    else
        bad "openssl cannot make a test certificate"
    fi
else
    echo "skipped: nginx is not installed (nginx -t of deploy/nginx-editor.conf.example)"
fi
grep -q '^ *proxy_pass http://127.0.0.1:8080;' deploy/nginx-editor.conf.example ||
    bad "the nginx example does not pass to the editor's default 127.0.0.1:8080"
grep -q 'client_max_body_size' deploy/nginx-editor.conf.example ||
    bad "the nginx example keeps nginx's 1 MB body limit (images are up to 8 MB)"

# ---------------------------------------------------------------------
step "install.sh --editor, then uninstall.sh, in a private mount namespace"
# The real scripts as root, with /etc, /var/lib, /var/cache, /usr/local and
# /run replaced by copies or empty directories for this test only (systemd,
# if it runs, out of sight: systemctl works offline on the copy of /etc).
if [ "$(id -u)" -ne 0 ]; then
    echo "skipped: needs root (useradd, chown) and a mount namespace"
elif ! unshare --mount --propagation private true 2>/dev/null; then
    echo "skipped: no mount namespaces here (unshare --mount)"
elif [ ! -x "$editor" ]; then
    bad "no $editor (make builds it)"
else
    ns=$tmp/ns
    mkdir -p "$ns/varlib" "$ns/varcache" "$ns/usrlocal"
    cp -a /etc "$ns/etc"
    # As on a machine where neither is installed.
    rm -rf "$ns/etc/edukiosk" "$ns"/etc/systemd/system/*/edukiosk*.service         "$ns"/etc/systemd/system/edukiosk*.service
    for f in passwd group shadow gshadow; do
        [ ! -f "$ns/etc/$f" ] || sed -i '/^edukiosk\(-editor\)\{0,1\}:/d' "$ns/etc/$f"
    done
    cat >"$ns/test.sh" <<'EOF'
set -eu
top=$1 build=$2 ns=$3
mount --bind "$ns/etc" /etc
mount --bind "$ns/varlib" /var/lib
mount --bind "$ns/varcache" /var/cache
mount --bind "$ns/usrlocal" /usr/local
mount -t tmpfs tmpfs /run
export SYSTEMD_OFFLINE=1
fail=0
no() { echo "FAIL: $*"; fail=1; }
pid=""
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true' EXIT
cd "$top"
sh deploy/install.sh --editor --no-deps --prebuilt "$build" >"$ns/install.out" 2>&1 ||
    { cat "$ns/install.out"; no "install.sh --editor exited $?"; exit 1; }
out=$ns/install.out
getent passwd edukiosk-editor | grep -q ':/usr/sbin/nologin$' || no "no system user edukiosk-editor"
! getent passwd edukiosk >/dev/null || no "install.sh --editor created the kiosk's user"
st=/var/lib/edukiosk-editor
[ "$(stat -c '%U:%G %a' "$st")" = "edukiosk-editor:edukiosk-editor 750" ] ||
    no "$st: $(stat -c '%U:%G %a' "$st")"
cmp -s /etc/edukiosk/editor.conf deploy/editor.conf.example || no "/etc/edukiosk/editor.conf"
[ ! -e /etc/edukiosk/edukiosk.conf ] || no "install.sh --editor wrote the kiosk's configuration"
cmp -s /usr/local/lib/systemd/system/edukiosk-editor.service deploy/edukiosk-editor.service ||
    no "the installed unit differs from deploy/edukiosk-editor.service"
[ -L /etc/systemd/system/multi-user.target.wants/edukiosk-editor.service ] ||
    no "edukiosk-editor.service is not enabled"
[ ! -e /etc/systemd/system/multi-user.target.wants/edukiosk.service ] ||
    no "install.sh --editor enabled the kiosk service"
for want in "sudo edukiosk-editor --add-user NAME" "feed.json" "nginx-editor.conf.example"     "It listens on 127.0.0.1:8080"; do
    grep -qF -- "$want" "$out" || no "install.sh --editor does not print '$want'"
done
# An admin's account, added with sudo as the next steps say: the service's
# user must still read it.
printf 'correct horse battery
' | /usr/local/bin/edukiosk-editor --add-user anna >/dev/null ||
    no "--add-user as root"
[ "$(stat -c '%U %a' "$st/users")" = "edukiosk-editor 600" ] ||
    no "$st/users: $(stat -c '%U %a' "$st/users")"
# The installed service's command, as its user: it starts, serves the page
# and lets anna log in.
setpriv --reuid edukiosk-editor --regid edukiosk-editor --init-groups     env STATE_DIRECTORY="$st" /usr/local/bin/edukiosk-editor --config /etc/edukiosk/editor.conf --listen 127.0.0.1:0     2>"$ns/serve.err" &
pid=$!
port=""
for _ in $(seq 1 100); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$ns/serve.err")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$port" ]; then
    cat "$ns/serve.err"
    no "the installed editor did not start as edukiosk-editor"
elif ! python3 - "$port" <<'PY'; then
import json, sys, urllib.request
base = "http://127.0.0.1:%s" % sys.argv[1]
page = urllib.request.urlopen(base + "/", timeout=30).read()
assert b"<html" in page, page[:200]
req = urllib.request.Request(base + "/api/login", method="POST",
                             data=json.dumps({"user": "anna", "password": "correct horse battery"}).encode(),
                             headers={"Content-Type": "application/json"})
r = json.load(urllib.request.urlopen(req, timeout=30))
assert r.get("user") == "anna" and r.get("csrf"), r
PY
    cat "$ns/serve.err"
    no "the installed editor does not serve its page or log anna in"
fi
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
pid=""
grep -q '"login"' "$st/audit.log" 2>/dev/null || no "no login in $st/audit.log"
[ "$(find "$st" ! -user edukiosk-editor | wc -l)" -eq 0 ] ||
    no "files in $st not owned by edukiosk-editor: $(find "$st" ! -user edukiosk-editor)"
# Again, as an update: the admin's configuration stays.
echo "session_hours = 4" >>/etc/edukiosk/editor.conf
sh deploy/install.sh --editor --no-deps --prebuilt "$build" >"$ns/install2.out" 2>&1 ||
    { cat "$ns/install2.out"; no "install.sh --editor (again) exited $?"; }
grep -q '^session_hours = 4$' /etc/edukiosk/editor.conf || no "a second install overwrote editor.conf"
grep -qF "keeping /etc/edukiosk/editor.conf" "$ns/install2.out" || no "no 'keeping' on update"
# uninstall.sh keeps the data; --purge removes it and the user.
sh deploy/uninstall.sh >"$ns/uninstall.out" 2>&1 || { cat "$ns/uninstall.out"; no "uninstall.sh"; }
for f in /usr/local/bin/edukiosk-editor /usr/local/share/man/man1/edukiosk-editor.1     /usr/local/lib/systemd/system/edukiosk-editor.service     /etc/systemd/system/multi-user.target.wants/edukiosk-editor.service; do
    if [ -e "$f" ] || [ -L "$f" ]; then no "uninstall.sh left $f"; fi
done
[ -f "$st/users" ] || no "uninstall.sh without --purge removed the editor's data"
sh deploy/uninstall.sh --purge >"$ns/purge.out" 2>&1 || { cat "$ns/purge.out"; no "uninstall.sh --purge"; }
[ ! -e "$st" ] || no "uninstall.sh --purge left $st"
! getent passwd edukiosk-editor >/dev/null || no "uninstall.sh --purge left the user"
exit "$fail"
EOF
    if unshare --mount --propagation private sh "$ns/test.sh" "$top" "$build" "$ns" \
        >"$ns/test.out" 2>&1; then
        ok "user, state directory, configuration, unit enabled, next steps; the installed"
        ok "editor serves its page and logs in an account added by sudo --add-user;"
        ok "an update keeps editor.conf; uninstall.sh, then --purge, remove the rest"
    else
        cat "$ns/test.out"
        bad "install.sh --editor / uninstall.sh"
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
