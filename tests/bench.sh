#!/bin/sh
# make bench: measures (never asserts) the kiosk on the built-in deck at
# 1920x1080, headless.  Same scenario as the browser comparison in
# docs/performance.md: every slide 3 s with fades, clock, 30 s run — once
# with the scrolling ticker, once without.  Uses Xvfb when installed (a
# real X11 window, as on a desktop), else SDL's offscreen driver.
#   tests/bench.sh build/edukiosk [seconds]
set -eu
bin=$1
secs=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
xvfb_pid=""
cleanup() {
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

python3 - "$here/../assets/default-feed.json" "$tmp" <<'PY'
import json, sys
feed = json.load(open(sys.argv[1], encoding="utf-8"))
for s in feed["slides"]:
    s["duration"] = 3
    s["transition"] = "fade"
json.dump(feed, open(sys.argv[2] + "/ticker.json", "w", encoding="utf-8"), ensure_ascii=False)
feed.pop("ticker", None)
json.dump(feed, open(sys.argv[2] + "/still.json", "w", encoding="utf-8"), ensure_ascii=False)
PY

if command -v Xvfb >/dev/null 2>&1; then
    disp=:$((90 + $$ % 100))
    Xvfb "$disp" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
    xvfb_pid=$!
    sleep 1
    export DISPLAY="$disp"
    driver=x11
else
    driver=offscreen
fi
export SDL_VIDEODRIVER=$driver

run() { # feed label
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" \
        "$bin" --no-config --set render_driver=software --feed "$1" --window 1920x1080 \
        --exit-after "$secs" --stats >"$tmp/stats" 2>"$tmp/log" &
    # PSS (shared pages split fairly) is what a browser comparison uses.
    pss=0
    while kill -0 $! 2>/dev/null; do
        pid=$(pgrep -n -f -- "--exit-after $secs --stats" || true)
        if [ -n "$pid" ] && [ -r "/proc/$pid/smaps_rollup" ]; then
            p=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
            [ "${p:-0}" -gt "$pss" ] && pss=$p
        fi
        sleep 1
    done
    wait $! || { cat "$tmp/log"; exit 1; }
    python3 - "$tmp/stats" "$tmp/time" "$2" "$driver" "$secs" "$pss" <<'PY'
import json, sys
s = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
wall, user, sys_, rss = open(sys.argv[2]).read().split()
print(f"{sys.argv[3]:>9}: driver {sys.argv[4]}, {sys.argv[5]} s run: "
      f"first frame {s['first_frame_ms']:.0f} ms, "
      f"cpu {float(user) + float(sys_):.2f} s, peak rss {int(rss) / 1024:.1f} MiB, "
      f"peak pss {int(sys.argv[6]) / 1024:.1f} MiB, "
      f"frames {s['frames']}, frame ms p50/p99/max {s['frame_ms_p50']:.1f}/"
      f"{s['frame_ms_p99']:.1f}/{s['frame_ms_max']:.1f}, "
      f"transition frame ms p50/p99 {s['transition_frame_ms_p50']:.1f}/"
      f"{s['transition_frame_ms_p99']:.1f}, slides {s['slides_shown']}")
PY
}

run "$tmp/ticker.json" "ticker"
run "$tmp/still.json" "no ticker"
