#!/bin/sh
# Copies a built edukiosk and the files it ships with below a prefix: the
# one list used by `make install` and by install.sh --prebuilt.
#   deploy/install-files.sh BINARY PREFIX [DESTDIR]
# The editor is taken from beside BINARY: DIR/edukiosk-editor, when it is
# there (make builds both), with its man page, unit and examples.
set -eu
[ $# -eq 2 ] || [ $# -eq 3 ] || {
    echo "usage: install-files.sh BINARY PREFIX [DESTDIR]" >&2
    exit 2
}
bin=$1
prefix=$2
dir=${3:-}$prefix
cd "$(dirname "$0")/.."
bin_path=$(sed -n 's|^ExecStart=\([^ ]*\).*|\1|p' deploy/edukiosk.service)
install -Dm755 "$bin" "$dir/bin/edukiosk"
share=$dir/share/edukiosk
install -Dm644 assets/default-feed.json "$share/default-feed.json"
for f in NotoSansSC-Regular.otf NotoSansSC-Bold.otf LICENSE.fonts-noto-cjk; do
    install -Dm644 "assets/fonts/$f" "$share/fonts/$f"
done
install -Dm644 assets/images/logo.png "$share/images/logo.png"
install -Dm644 deploy/edukiosk.1 "$dir/share/man/man1/edukiosk.1"
install -Dm644 deploy/edukiosk.conf.example "$dir/share/doc/edukiosk/edukiosk.conf.example"
# The unit names the binary where this prefix puts it (DESTDIR aside).
install -d "$dir/lib/systemd/system"
sed "s|$bin_path|$prefix/bin/edukiosk|g" deploy/edukiosk.service \
    >"$dir/lib/systemd/system/edukiosk.service"
chmod 644 "$dir/lib/systemd/system/edukiosk.service"

# The editor, from the same build directory.
editor=$(dirname "$bin")/edukiosk-editor
[ -x "$editor" ] || exit 0
install -Dm755 "$editor" "$dir/bin/edukiosk-editor"
install -Dm644 deploy/edukiosk-editor.1 "$dir/share/man/man1/edukiosk-editor.1"
install -Dm644 deploy/editor.conf.example "$dir/share/doc/edukiosk/editor.conf.example"
install -Dm644 deploy/nginx-editor.conf.example \
    "$dir/share/doc/edukiosk/nginx-editor.conf.example"
sed "s|^ExecStart=/usr/local/bin/edukiosk-editor |ExecStart=$prefix/bin/edukiosk-editor |" \
    deploy/edukiosk-editor.service >"$dir/lib/systemd/system/edukiosk-editor.service"
chmod 644 "$dir/lib/systemd/system/edukiosk-editor.service"
