/* font internals shared by font.c (faces, runs, drawing) and
 * font_fallback.c (finding system faces for characters the bundled ones
 * lack).  Everything here belongs to the fontset's thread. */
#ifndef EDUKIOSK_FONT_PRIV_H
#define EDUKIOSK_FONT_PRIV_H

#include "font.h"

#include <SDL_ttf.h>
#include <fontconfig/fontconfig.h>

#define OPEN_PX 32

/* Face ids: a bundled face of the requested weight, no face at all, or
 * an index into fontset.fb. */
#define FACE_PRIMARY (-1)
#define FACE_NONE (-2)

struct face {
    TTF_Font *font; /* NULL while a fallback face is closed */
    int px;         /* size the font is currently set to */
};

/* A system face fontconfig offered, known by file and index in it; it
 * stays known until the next reset, its font is opened on demand. */
struct fallback {
    char *path;
    int index;
    FcCharSet *cs; /* what it covers, so choosing needs no open font */
    struct face face;
    uint64_t used; /* when it last drew or measured, for closing the oldest */
    bool broken;   /* the file would not open */
};

/* (character, weight) -> face id, negative answers included. */
struct charmap {
    uint32_t *keys; /* 0 = empty slot */
    int32_t *vals;
    size_t cap, n;
};

struct fontset {
    struct face regular, bold;
    struct fallback *fb;
    int n_fb, cap_fb, n_open;
    uint64_t tick;
    struct charmap chars;
    bool fc_tried, fc_ok;
    int n_missing_logged;
    char *clean; /* the text being drawn, repaired */
    size_t clean_cap;
    char *buf; /* the current run, NUL-terminated for SDL_ttf */
    size_t buf_cap;
    struct font_seg *segs; /* the face runs of one directional run */
    size_t segs_cap;
};

/* Light hinting and kerning, for every face alike. */
void font_face_setup(struct face *f);

/* The face id that draws cp at the weight, looked up through fontconfig
 * the first time; FACE_NONE when no installed font has it. */
int fallback_for(struct fontset *fs, uint32_t cp, bool bold);
/* Whether fallback id covers cp (false for a file that will not open). */
bool fallback_has(const struct fontset *fs, int id, uint32_t cp);
/* The open face of id, opening it (and closing the least recently used
 * one beyond the cap) if needed; NULL when its file will not open. */
struct face *fallback_face(struct fontset *fs, int id);
/* Closes and forgets every fallback face and lookup. */
void fallback_reset(struct fontset *fs);
/* fallback_reset() plus the tables' own memory. */
void fallback_free(struct fontset *fs);

#endif
