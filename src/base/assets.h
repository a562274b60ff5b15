/* assets: files embedded by src/assets.S.  Each blob is followed by a NUL
 * byte (not counted in its size), so text assets are C strings. */
#ifndef EDUKIOSK_ASSETS_H
#define EDUKIOSK_ASSETS_H

#include <stdint.h>

extern const unsigned char asset_default_feed[];
extern const uint32_t asset_default_feed_size;
extern const unsigned char asset_font_regular[];
extern const uint32_t asset_font_regular_size;
extern const unsigned char asset_font_bold[];
extern const uint32_t asset_font_bold_size;
extern const unsigned char asset_logo_png[];
extern const uint32_t asset_logo_png_size;

#endif
