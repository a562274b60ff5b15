/* pngfile: an SDL surface saved as a PNG file, atomically (fileutil): a
 * full disk or any failed write leaves the previous file in place. */
#ifndef EDUKIOSK_PNGFILE_H
#define EDUKIOSK_PNGFILE_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>

/* Writes s to path as a PNG (fsynced when `durable`).  0, or -1 with the
 * reason in err (the old file at path is then untouched).  Any thread, but
 * not concurrently for the same path. */
int pngfile_save(const char *path, SDL_Surface *s, bool durable, char *err, size_t errlen);

#endif
