#!/bin/sh
# make bench: edukiosk beside a Chromium kiosk showing the same deck, in
# the same Xvfb at 1920x1080, one after the other; measures, never asserts.
#   tests/bench.sh build/edukiosk [seconds] [runs]      (default 30 s, 1 run)
# The deck: the first 10 slides of the built-in feed, 3 s each with a
# fade, clock and ticker; for Chromium the same feed as an HTML/CSS
# slideshow with the bundled fonts (tests/bench_deck.py).  Each run is
# measured from outside by tests/benchrun.c: first content on the X
# screen after exec, CPU seconds, peak RSS and PSS of the whole process
# tree, processes and threads.  Prints a side-by-side table (the median of
# the runs, with min-max) and, as its last line, one JSON object.
# edukiosk draws in software (render_driver=software) and Chromium runs
# with --disable-gpu: neither has a GPU here.  Chromium runs as root only
# with --no-sandbox, which is added then.  No network: a local file.
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
secs=${2:-30}
runs=${3:-${BENCH_RUNS:-1}}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
tmp=$(mktemp -d)
xvfb_pid=""
cleanup() {
    [ -z "$xvfb_pid" ] || kill "$xvfb_pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "bench: chromium is not installed (deploy/deps.sh bench)" >&2; exit 1; }
command -v Xvfb >/dev/null || { echo "bench: Xvfb is not installed (deploy/deps.sh bench)" >&2; exit 1; }

cc -std=c11 -O2 -Wall -Wextra -o "$tmp/benchrun" "$here/benchrun.c" -lX11 -lXext
mkdir -p "$tmp/deck"
python3 "$here/bench_deck.py" "$root/assets/default-feed.json" "$root" "$tmp/deck"

# A display number nobody uses, the same screen for both.
n=$((90 + $$ % 100))
while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
Xvfb ":$n" -screen 0 1920x1080x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
xvfb_pid=$!
export DISPLAY=":$n"
for _ in 1 2 3 4 5 6 7 8 9 10; do
    [ -e "/tmp/.X11-unix/X$n" ] && break
    sleep 0.3
done
unset SDL_VIDEODRIVER DBUS_SESSION_BUS_ADDRESS

sandbox=""
[ "$(id -u)" -ne 0 ] || sandbox="--no-sandbox"

run_kiosk() { # out.json
    "$tmp/benchrun" -t "$secs" -x -o "$tmp/kiosk.log" -- \
        "$bin" --no-config --set render_driver=software --feed "$tmp/deck/feed.json" \
        --window 1920x1080 >"$1"
}

run_chromium() { # out.json
    rm -rf "$tmp/profile"
    # shellcheck disable=SC2086
    "$tmp/benchrun" -t "$secs" -x -o "$tmp/chromium.log" -- \
        "$browser" --kiosk --incognito $sandbox --no-first-run --no-default-browser-check \
        --disable-gpu --user-data-dir="$tmp/profile" --window-position=0,0 \
        --window-size=1920,1080 --allow-file-access-from-files \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-extensions --disable-default-apps --disable-breakpad --noerrdialogs \
        --disable-features=Translate,TranslateUI,MediaRouter --password-store=basic \
        --host-resolver-rules="MAP * ~NOTFOUND" "file://$tmp/deck/slides.html" >"$1"
}

i=1
while [ "$i" -le "$runs" ]; do
    echo "bench: run $i of $runs, ${secs} s each: edukiosk, then chromium" >&2
    run_kiosk "$tmp/kiosk-$i.json"
    sleep 1
    run_chromium "$tmp/chromium-$i.json"
    sleep 1
    i=$((i + 1))
done

python3 - "$tmp" "$runs" "$secs" <<'PY'
import json, statistics, sys
tmp, runs, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
def load(name):
    return [json.load(open(f"{tmp}/{name}-{i}.json")) for i in range(1, runs + 1)]
res = {"edukiosk": load("kiosk"), "chromium": load("chromium")}
rows = [("first content (s)", "first_content_s", "{:.2f}"),
        (f"CPU s in {secs:g} s", "cpu_s", "{:.2f}"),
        ("peak RSS (MiB)", "peak_rss_mib", "{:.0f}"),
        ("peak PSS (MiB)", "peak_pss_mib", "{:.1f}"),
        ("processes", "procs", "{:.0f}"),
        ("threads", "threads", "{:.0f}")]
out = {"seconds": secs, "runs": runs, "screen": "Xvfb 1920x1080x24"}
def cell(vals, fmt):
    m = statistics.median(vals)
    s = fmt.format(m)
    if len(vals) > 1 and min(vals) != max(vals):
        s += " (" + fmt.format(min(vals)) + "-" + fmt.format(max(vals)) + ")"
    return m, s
print(f"{'':20} {'edukiosk':>22} {'chromium':>22} {'ratio':>8}")
for label, key, fmt in rows:
    k, ks = cell([r[key] for r in res["edukiosk"]], fmt)
    c, cs = cell([r[key] for r in res["chromium"]], fmt)
    ratio = c / k if k > 0 and c > 0 else None
    rs = f"{ratio:.1f}x" if ratio else "-"
    print(f"{label:20} {ks:>22} {cs:>22} {rs:>8}")
    out.setdefault("edukiosk", {})[key] = k
    out.setdefault("chromium", {})[key] = c
    out.setdefault("ratio", {})[key] = round(ratio, 2) if ratio else None
out["edukiosk_runs"] = res["edukiosk"]
out["chromium_runs"] = res["chromium"]
print(json.dumps(out))
PY
