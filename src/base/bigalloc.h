/* bigalloc: SDL's memory functions, large blocks in mappings of their
 * own (returned at once when freed, on transparent huge pages). */
#ifndef EDUKIOSK_BIGALLOC_H
#define EDUKIOSK_BIGALLOC_H

/* From this size on, a block is a mapping of its own. */
#define BIGALLOC_MIN ((size_t)1 << 20)

/* Makes SDL (and SDL_ttf, SDL_image) allocate through bigalloc.  Before
 * any other SDL call: no block may be allocated by the old functions and
 * freed by the new.  0, or -1 (SDL's error) when SDL refuses. */
int bigalloc_install(void);

#endif
