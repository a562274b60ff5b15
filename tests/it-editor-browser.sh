#!/bin/sh
# The editor page in a real browser: Debian's chromium, headless, driven by
# chromedriver through python3-selenium, against the real edukiosk-editor
# on 127.0.0.1 (tests/editor_browser.py says what is clicked through).
# Screenshots at 1366x768 in BUILD/editor-browser/.  $1 = the edukiosk
# binary; the editor is next to it.
set -eu
bin=$1
py=python3
# Selenium comes from Debian (python3-selenium); another python3 first on
# PATH may not see it.
if ! "$py" -c 'import selenium' 2>/dev/null && [ -x /usr/bin/python3 ]; then
    py=/usr/bin/python3
fi
if ! "$py" -c 'import selenium' 2>/dev/null; then
    echo "it-editor-browser: python3-selenium is missing (deploy/deps.sh installs it)" >&2
    exit 1
fi
exec nice "$py" "$(dirname "$0")/editor_browser.py" "$bin"
