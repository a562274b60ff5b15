/* assetrw: an embedded asset as an SDL_RWops that reads it from the
 * executable file rather than from its mapping. */
#ifndef EDUKIOSK_ASSETRW_H
#define EDUKIOSK_ASSETRW_H

#include <SDL.h>
#include <stdint.h>

/* A stream over the size bytes at data, which must lie in the running
 * program's own file (an asset of assets.h).  Read with pread() from
 * /proc/self/exe where that file holds the same bytes there, so the pages
 * a reader touches are not mapped into the process: FreeType reads a CJK
 * font's glyphs all over its 3 MB, and every such page read through the
 * mapping (with the kernel's fault-around, 64 KB each) stays resident and
 * counted for the process.  Else (the program file is not what runs, e.g.
 * under valgrind) a plain memory stream.  NULL (SDL's error) on failure. */
SDL_RWops *asset_rw(const unsigned char *data, uint32_t size);

#endif
