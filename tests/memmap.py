#!/usr/bin/env python3
"""Where a running kiosk's memory goes, from /proc/PID/smaps (make bench's
companion; docs/performance.md shows its output).

    python3 tests/memmap.py PID [--markdown]

Each mapping goes to one group by its name (a library's file name, the
program, the MIT-SHM window) or, for anonymous memory, by its size: a
mapping of 8 MiB or more holds pixels (slide pictures: the program's own
mappings, or glibc's for large blocks), one of 1 to 8 MiB a ticker strip
or item, the rest is malloc's heaps and stacks.  RSS counts every page
mapped; PSS splits a shared page among the processes that map it, so a
library's PSS falls when other programs on the machine use it too.
"""
import re
import sys

GROUPS = [
    ("window framebuffer (MIT-SHM, shared with X)", lambda n: n.startswith("/SYSV")),
    ("ICU data", lambda n: "libicudata" in n),
    ("SDL2, X11, audio, Wayland libraries", lambda n: re.search(
        r"lib(SDL2-|X|xcb|xkb|asound|pulse|sndfile|FLAC|vorbis|opus|mpg123|mp3lame|ogg|"
        r"wayland|decor|drm|gbm|samplerate|asyncns|dbus)", n)),
    ("libcurl, TLS, Kerberos, LDAP, SSH", lambda n: re.search(
        r"lib(curl|ssl|crypto\.|gnutls|nettle|hogweed|gmp|krb5|k5crypto|gssapi|ldap|lber|"
        r"sasl2|ssh2|rtmp|nghttp2|idn2|psl|unistring|p11-kit|tasn1|brotli|keyutils|com_err)",
        n)),
    ("text: FreeType, HarfBuzz, ICU code, fontconfig", lambda n: re.search(
        r"lib(freetype|harfbuzz|icuuc|fontconfig|graphite2|glib|pcre2|expat|SDL2_ttf)", n)),
    ("images: SDL2_image, PNG, JPEG, TIFF, WebP", lambda n: re.search(
        r"lib(SDL2_image|png|jpeg|tiff|webp|sharpyuv|Lerc|jbig|deflate)", n)),
    ("libc, libm, libstdc++, ld.so", lambda n: re.search(
        r"/(libc\.so|libm\.so|libstdc\+\+|libgcc_s|ld-linux|libpthread)", n)),
]


def group_of(name, size_kb, prog):
    if name == prog or name.endswith("/" + prog.rsplit("/", 1)[-1]):
        return "program (code, data, embedded fonts)"
    for label, test in GROUPS:
        if test(name):
            return label
    if name.startswith("/"):
        return "other shared libraries"
    if name in ("", "[heap]") or name.startswith("[anon"):
        if size_kb >= 8 * 1024 and name == "":
            return "anonymous >= 8 MiB: pixels, malloc arenas"
        if size_kb >= 1024 and name == "":
            return "anonymous 1-8 MiB: ticker, chrome pixels"
        return "heap and small anonymous (malloc, stacks)"
    return "stacks, vdso"


def main():
    pid = sys.argv[1]
    md = "--markdown" in sys.argv
    prog = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")[0].decode()
    import os
    prog = os.path.realpath(f"/proc/{pid}/exe") if os.path.exists(f"/proc/{pid}/exe") else prog
    sums = {}
    cur = None
    for line in open(f"/proc/{pid}/smaps"):
        m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \d+\s*(.*)$", line)
        if m:
            size = (int(m.group(2), 16) - int(m.group(1), 16)) // 1024
            cur = group_of(m.group(3).strip(), size, prog)
            sums.setdefault(cur, [0, 0])
            continue
        k, _, v = line.partition(":")
        if k == "Rss":
            sums[cur][0] += int(v.split()[0])
        elif k == "Pss":
            sums[cur][1] += int(v.split()[0])
    rows = sorted(sums.items(), key=lambda kv: -kv[1][1])
    tr = sum(v[0] for v in sums.values())
    tp = sum(v[1] for v in sums.values())
    if md:
        print("| where | RSS MiB | PSS MiB |")
        print("|---|---:|---:|")
        for k, (r, p) in rows:
            print(f"| {k} | {r / 1024:.1f} | {p / 1024:.1f} |")
        print(f"| **total** | **{tr / 1024:.1f}** | **{tp / 1024:.1f}** |")
    else:
        for k, (r, p) in rows:
            print(f"{r / 1024:8.1f} {p / 1024:8.1f}  {k}")
        print(f"{tr / 1024:8.1f} {tp / 1024:8.1f}  total (RSS, PSS MiB)")


if __name__ == "__main__":
    main()
