/* pngfile: an SDL surface saved as a PNG file, atomically (fileutil): a
 * full disk or any failed write leaves the previous file in place; or
 * encoded in memory (the editor's previews). */
#ifndef EDUKIOSK_PNGFILE_H
#define EDUKIOSK_PNGFILE_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>

/* Writes s to path as a PNG (fsynced when `durable`).  0, or -1 with the
 * reason in err (the old file at path is then untouched).  Any thread, but
 * not concurrently for the same path. */
int pngfile_save(const char *path, SDL_Surface *s, bool durable, char *err, size_t errlen);

/* Encodes s as a PNG in memory: 0 with *png (malloc()ed, the caller frees)
 * and *len set, or -1 with the reason in err.  Any thread. */
int pngfile_encode(SDL_Surface *s, unsigned char **png, size_t *len, char *err,
                   size_t errlen);

#endif
