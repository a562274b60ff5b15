/* webassets: the editor's page (src/editor/web/), compiled in by
 * webassets.S.  Each file is followed by a NUL byte not counted in its
 * size. */
#ifndef EDUKIOSK_WEBASSETS_H
#define EDUKIOSK_WEBASSETS_H
#include <stdint.h>

extern const unsigned char web_index_html[];
extern const uint32_t web_index_html_size;
extern const unsigned char web_app_css[];
extern const uint32_t web_app_css_size;
extern const unsigned char web_app_js[];
extern const uint32_t web_app_js_size;
#endif
