/* imgdiff: how far a screen capture is from a --render picture.
 *
 *   imgdiff SCREEN RENDER [--rotate 90|180|270] [--mask X,Y,W,H]...
 *
 * SCREEN is what the display showed (QEMU's screendump, a PPM), RENDER
 * the picture --render made of the same slide (a PNG), at the screen's
 * size or, with --rotate, at the size before the kiosk turned it
 * clockwise by that many degrees.  Masks are boxes of RENDER (the clock)
 * left out of the comparison.  Prints one line:
 *   mean=M differ=F compared=N
 * M the mean absolute difference per channel (0-255), F the fraction of
 * compared pixels where some channel differs by more than 48.  Exit 0,
 * or 2 when a picture cannot be read or the sizes do not fit. */
#include <SDL.h>
#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MASKS 16

static SDL_Surface *load(const char *path)
{
    SDL_Surface *s = IMG_Load(path);
    if (!s) {
        fprintf(stderr, "imgdiff: %s: %s\n", path, IMG_GetError());
        return NULL;
    }
    SDL_Surface *c = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(s);
    if (!c)
        fprintf(stderr, "imgdiff: %s: %s\n", path, SDL_GetError());
    return c;
}

static Uint32 px(const SDL_Surface *s, int x, int y)
{
    return ((const Uint32 *)((const Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch))[x];
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: imgdiff SCREEN RENDER [--rotate 90|180|270] "
                        "[--mask X,Y,W,H]...\n");
        return 2;
    }
    int rot = 0, nmask = 0;
    SDL_Rect masks[MAX_MASKS];
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--rotate") && i + 1 < argc) {
            rot = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--mask") && i + 1 < argc && nmask < MAX_MASKS) {
            SDL_Rect *m = &masks[nmask++];
            if (sscanf(argv[++i], "%d,%d,%d,%d", &m->x, &m->y, &m->w, &m->h) != 4) {
                fprintf(stderr, "imgdiff: --mask X,Y,W,H\n");
                return 2;
            }
        } else {
            fprintf(stderr, "imgdiff: unknown argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (rot != 0 && rot != 90 && rot != 180 && rot != 270) {
        fprintf(stderr, "imgdiff: --rotate 90, 180 or 270\n");
        return 2;
    }
    SDL_Surface *a = load(argv[1]), *b = load(argv[2]);
    int rc = 2;
    if (!a || !b)
        goto done;
    int bw = (rot == 90 || rot == 270) ? b->h : b->w;
    int bh = (rot == 90 || rot == 270) ? b->w : b->h;
    if (a->w != bw || a->h != bh) {
        fprintf(stderr, "imgdiff: %s is %dx%d, %s turned by %d is %dx%d\n", argv[1], a->w,
                a->h, argv[2], rot, bw, bh);
        goto done;
    }
    double sum = 0;
    long differ = 0, compared = 0;
    for (int y = 0; y < a->h; y++) {
        for (int x = 0; x < a->w; x++) {
            /* The render's pixel that the clockwise turn put at (x, y). */
            int sx = x, sy = y;
            if (rot == 90) {
                sx = y;
                sy = b->h - 1 - x;
            } else if (rot == 180) {
                sx = b->w - 1 - x;
                sy = b->h - 1 - y;
            } else if (rot == 270) {
                sx = b->w - 1 - y;
                sy = x;
            }
            SDL_Point p = {sx, sy};
            int masked = 0;
            for (int m = 0; m < nmask && !masked; m++)
                masked = SDL_PointInRect(&p, &masks[m]);
            if (masked)
                continue;
            Uint32 pa = px(a, x, y), pb = px(b, sx, sy);
            int worst = 0;
            for (int sh = 0; sh < 24; sh += 8) {
                int d = abs((int)((pa >> sh) & 255) - (int)((pb >> sh) & 255));
                sum += d;
                if (d > worst)
                    worst = d;
            }
            differ += worst > 48;
            compared++;
        }
    }
    printf("mean=%.3f differ=%.5f compared=%ld\n", compared ? sum / (3.0 * compared) : 0.0,
           compared ? (double)differ / compared : 0.0, compared);
    rc = 0;
done:
    SDL_FreeSurface(a);
    SDL_FreeSurface(b);
    return rc;
}
