#!/bin/sh
# The emulated Raspberry Pi's disk: Debian bookworm arm64 from Debian's
# packages, with edukiosk installed by the real deploy/install.sh.
#
#   tests/pi/image.sh OUT_DIR BUILD_DIR [CONFIG]
#
# The base system (debootstrap + the packages of tests/pi/packages and of
# deploy/deps.sh libs run) is built once and kept in $EDUKIOSK_PI_CACHE
# (default ~/.cache/edukiosk-pi), named after a hash of everything that
# goes into it; a new package list builds a new one.  Each run then copies
# it, runs `deploy/install.sh --prebuilt BUILD_DIR --no-start` (the kiosk,
# then with --editor the editor beside it) in its
# chroot (through qemu-user and binfmt_misc), writes the test
# configuration (CONFIG, as an admin would edit it) and makes OUT_DIR/disk.img with mkfs.ext4 -d (no loop
# mount).  OUT_DIR also gets vmlinuz and initrd.img: Debian's arm64 kernel,
# booted directly by QEMU, and a small busybox initramfs made here, which
# saves running mkinitramfs under emulation (about 10 minutes each time).
# Needs root (debootstrap, chroot, file owners) and deploy/deps.sh pi.
set -eu
[ $# -eq 2 ] || [ $# -eq 3 ] || {
    echo "usage: tests/pi/image.sh OUT_DIR BUILD_DIR [CONFIG]" >&2
    exit 2
}
out=$1
build=$(cd "$2" && pwd)
config=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mirror=${EDUKIOSK_PI_MIRROR:-http://deb.debian.org/debian}
cache=${EDUKIOSK_PI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/edukiosk-pi}

say() { printf '== %s\n' "$*"; }
die() {
    echo "image.sh: $*" >&2
    exit 1
}
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot)"
[ -x "$build/edukiosk" ] || die "no $build/edukiosk (make ARCH=arm64)"
[ -x "$build/edukiosk-editor" ] || die "no $build/edukiosk-editor (make ARCH=arm64)"

# qemu-user runs the image's arm64 programs (maintainer scripts, install.sh)
# through binfmt_misc; the F flag loads the interpreter now, so the chroot
# needs no copy of it.
binfmt=/proc/sys/fs/binfmt_misc
if [ ! -e "$binfmt/register" ]; then
    mount -t binfmt_misc binfmt_misc "$binfmt" || die "cannot mount binfmt_misc"
fi
if [ ! -e "$binfmt/qemu-aarch64" ]; then
    conf=/usr/lib/binfmt.d/qemu-aarch64.conf
    [ -f "$conf" ] || die "no $conf (deploy/deps.sh pi: qemu-user-static)"
    cat "$conf" >"$binfmt/register"
fi

# What goes into the base image, in one list; its hash names the cache.
packages=$(
    {
        grep -v '^#' "$here/packages"
        sh "$top/deploy/deps.sh" --list libs run
    } | tr ' ' '\n' | sed '/^$/d' | sort -u
)
# The kernel: the one Debian's linux-image-arm64 names today.
apt_get_q() { apt-get -q -o Debug::NoLocking=1 "$@"; }
kernel_pkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -n1)
[ -n "$kernel_pkg" ] || die "apt knows no linux-image-arm64:arm64 (dpkg --add-architecture arm64; apt-get update)"
# Bump base_steps when the steps of the base image below change.
base_steps=1
key=$(echo "$packages" "$kernel_pkg" "$mirror" "$base_steps" | sha256sum | cut -c1-16)
base=$cache/base-$key

if [ ! -f "$base/done" ]; then
    say "building the base image $base (once per package list)"
    start=$(date +%s)
    mkdir -p "$base"
    # Older bases are of no more use.
    find "$cache" -mindepth 1 -maxdepth 1 -name 'base-*' ! -name "base-$key" \
        -exec rm -rf {} +
    root=$base/root
    # Resumes after debootstrap when only a later step failed.
    if [ ! -f "$base/debootstrap.done" ]; then
        rm -rf "$root"
        list=$(echo "$packages" | paste -sd, -)
        debootstrap --arch=arm64 --variant=minbase --include="$list" \
            bookworm "$root" "$mirror" >"$base/debootstrap.log" 2>&1 || {
            tail -n 30 "$base/debootstrap.log" >&2
            die "debootstrap failed (log: $base/debootstrap.log)"
        }
        touch "$base/debootstrap.done"
    fi

    # The kernel and its modules, unpacked: no initramfs-tools run.
    dl=$base/debs
    mkdir -p "$dl"
    (cd "$dl" && apt_get_q download "$kernel_pkg:arm64" busybox-static:arm64) \
        >"$base/download.log" 2>&1 || die "apt-get download failed: $base/download.log"
    # Unpacked aside: over the root it would turn the /lib link into a
    # directory and hide the dynamic loader.
    rm -rf "$dl/kernel" "${root:?}/usr/lib/modules" "${root:?}"/boot/*
    dpkg-deb -x "$dl"/linux-image-*.deb "$dl/kernel"
    mkdir -p "$root/usr/lib/modules"
    cp -a "$dl"/kernel/lib/modules/* "$root/usr/lib/modules/"
    cp -a "$dl"/kernel/boot/* "$root/boot/"
    kver=$(ls "$root/usr/lib/modules")
    chroot "$root" depmod "$kver"
    cp "$root/boot/vmlinuz-$kver" "$base/vmlinuz"
    mkdir -p "$base/busybox"
    dpkg-deb -x "$dl"/busybox-static_*.deb "$base/busybox"
    rm -rf "$dl"
    chroot "$root" passwd -d root >/dev/null
    : >"$root/etc/machine-id"
    echo "$kver" >"$base/kernel-version"
    echo "$(($(date +%s) - start))" >"$base/build-seconds"
    touch "$base/done"
    say "base image built in $(cat "$base/build-seconds") s"
fi

say "installing edukiosk into a copy of the base image"
rm -rf "$out"
mkdir -p "$out"
root=$out/root
cp -a "$base/root" "$root"
cp "$base/vmlinuz" "$out/"
kver=$(cat "$base/kernel-version")

# The initramfs: busybox, the modules that reach the root disk (ext4 asks
# the crypto API for crc32c, which no modules.dep line names), init.
ird=$out/initrd
mkdir -p "$ird/bin" "$ird/lib/modules"
cp "$base/busybox/bin/busybox" "$ird/bin/busybox"
for m in virtio_pci virtio_blk crc32c_generic ext4; do
    # modules.dep: "kernel/x/m.ko: dep.ko dep2.ko"; the last is loaded first.
    line=$(grep "/$m\.ko[^:]*:" "$root/lib/modules/$kver/modules.dep") ||
        die "no module $m in $kver"
    for f in $(echo "$line" | tr -d : | awk '{for (i = NF; i >= 1; i--) print $i}'); do
        name=$(basename "$f")
        [ -e "$ird/lib/modules/$name" ] && continue
        cp "$root/lib/modules/$kver/$f" "$ird/lib/modules/$name"
        echo "$name" >>"$ird/lib/modules/order"
    done
done
# Debian compresses modules with xz; busybox insmod wants them plain.
for f in "$ird"/lib/modules/*.ko.xz; do
    [ -e "$f" ] || break
    xz -d "$f"
done
sed -i 's/\.xz$//' "$ird/lib/modules/order"
install -m755 "$here/init" "$ird/init"
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initrd.img"
rm -rf "$ird"

# The machine: root on the virtio disk, DHCP from QEMU's user network, the
# journal copied to the serial console, no password on root (the tests
# reach it only through QEMU's guest agent).
echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" >"$root/etc/fstab"
echo edukiosk-pi >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 edukiosk-pi\n' >"$root/etc/hosts"
mkdir -p "$root/etc/systemd/network" "$root/etc/systemd/journald.conf.d"
printf '[Match]\nName=en* eth*\n\n[Network]\nDHCP=ipv4\n' \
    >"$root/etc/systemd/network/20-wired.network"
printf '[Journal]\nForwardToConsole=yes\nTTYPath=/dev/ttyAMA0\nMaxLevelConsole=info\n' \
    >"$root/etc/systemd/journald.conf.d/serial.conf"
ln -sf /lib/systemd/system/systemd-networkd.service \
    "$root/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
# The source as an admin would have it on the Pi, with the program
# cross-built on this machine.
src_dir=usr/local/src/edukiosk
src=$root/$src_dir
mkdir -p "$src"
(cd "$top" && git ls-files -z --cached --others --exclude-standard |
    xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$src"
mkdir -p "$src/build-arm64"
cp "$build/edukiosk" "$build/edukiosk-editor" "$src/build-arm64/"

cleanup() {
    for m in dev/pts dev proc; do
        mountpoint -q "$root/$m" && umount "$root/$m"
    done
    return 0
}
trap cleanup EXIT
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
# The kiosk, and the editor beside it as on a school's only Pi.
chroot "$root" /bin/sh -c "cd /$src_dir && deploy/install.sh --prebuilt build-arm64 --no-start &&
    deploy/install.sh --prebuilt build-arm64 --editor --no-start --no-deps" \
    >"$out/install.log" 2>&1 || {
    tail -n 30 "$out/install.log" >&2
    die "install.sh failed in the image (log: $out/install.log)"
}
cleanup
trap - EXIT
[ -z "$config" ] || install -m 0644 "$config" "$root/etc/edukiosk/edukiosk.conf"
mkfs.ext4 -q -F -L edukiosk -d "$root" "$out/disk.img" 3G
rm -rf "$root"
say "disk image ready: $out/disk.img"
