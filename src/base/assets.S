/* Files compiled into the binary, so it runs with nothing beside it. */
#include "incbin.inc"

    .section .rodata
ASSET(asset_default_feed, "assets/default-feed.json")
ASSET(asset_font_regular, "assets/fonts/NotoSansSC-Regular.otf")
ASSET(asset_font_bold, "assets/fonts/NotoSansSC-Bold.otf")
ASSET(asset_logo_png, "assets/images/logo.png")

    .section .note.GNU-stack,"",%progbits
