/* The editor's page, compiled into edukiosk-editor (see webassets.h). */
#include "../base/incbin.inc"

    .section .rodata
ASSET(web_index_html, "src/editor/web/index.html")
ASSET(web_app_css, "src/editor/web/app.css")
ASSET(web_app_js, "src/editor/web/app.js")

    .section .note.GNU-stack,"",%progbits
