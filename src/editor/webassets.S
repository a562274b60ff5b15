/* The editor's page, compiled into edukiosk-editor (see webassets.h). */
#define ASSET(sym, file)            \
    .global sym;                    \
    .global sym##_size;             \
    .balign 16;                     \
sym:                                \
    .incbin file;                   \
sym##_end:                          \
    .byte 0;                        \
    .balign 4;                      \
sym##_size:                         \
    .int sym##_end - sym;

    .section .rodata
ASSET(web_index_html, "src/editor/web/index.html")
ASSET(web_app_css, "src/editor/web/app.css")
ASSET(web_app_js, "src/editor/web/app.js")

    .section .note.GNU-stack,"",%progbits
