#!/bin/sh
# The editor's HTTP API against the real edukiosk-editor on 127.0.0.1:
# log-in, rate limit, cookies, CSRF, conflicts, body caps, bad uploads,
# path traversal, security headers, the published feed, publish, history,
# rollback, the audit log, kill -9 during publish.  $1 = the edukiosk
# binary; the editor is next to it.
set -eu
bin=$1
exec python3 "$(dirname "$0")/editor_api_harness.py" "$(dirname "$bin")/edukiosk-editor" "$bin"
