/* Files compiled into the binary, so it runs with nothing beside it. */
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
ASSET(asset_default_feed, "assets/default-feed.json")
ASSET(asset_font_regular, "assets/fonts/NotoSansSC-Regular.otf")
ASSET(asset_font_bold, "assets/fonts/NotoSansSC-Bold.otf")
ASSET(asset_logo_png, "assets/images/logo.png")

    .section .note.GNU-stack,"",%progbits
