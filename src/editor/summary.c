#include "summary.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static void add_part(char *out, size_t len, const char *part)
{
    size_t n = strlen(out);
    if (n + 1 >= len)
        return;
    snprintf(out + n, len - n, "%s%s", n ? "；" : "", part);
}

/* One line in Chinese: which slides changed, were added or removed, and
 * which deck parts changed ("第2、5张已修改；新增1张；提示栏"). */
void summary_of_change(const char *old, size_t oldlen, const char *neu, size_t newlen,
                       char *out, size_t len)
{
    out[0] = '\0';
    json_t *a = old ? json_loadb(old, oldlen, 0, NULL) : NULL;
    json_t *b = json_loadb(neu, newlen, 0, NULL);
    if (!b) {
        snprintf(out, len, "发布");
        goto done;
    }
    if (!a) {
        size_t n = json_array_size(json_object_get(b, "slides"));
        snprintf(out, len, "首次发布：%zu 张幻灯片", n);
        goto done;
    }
    json_t *sa = json_object_get(a, "slides"), *sb = json_object_get(b, "slides");
    size_t na = json_array_size(sa), nb = json_array_size(sb);
    char changed[256] = "";
    int n_changed = 0;
    for (size_t i = 0; i < na && i < nb; i++) {
        if (json_equal(json_array_get(sa, i), json_array_get(sb, i)))
            continue;
        n_changed++;
        size_t l = strlen(changed);
        if (n_changed <= 6 && l + 16 < sizeof(changed))
            snprintf(changed + l, sizeof(changed) - l, "%s%zu", l ? "、" : "第", i + 1);
    }
    char part[320];
    if (n_changed) {
        snprintf(part, sizeof(part), "%s%s张已修改", changed, n_changed > 6 ? "等" : "");
        add_part(out, len, part);
    }
    if (nb > na) {
        snprintf(part, sizeof(part), "新增%zu张", nb - na);
        add_part(out, len, part);
    } else if (na > nb) {
        snprintf(part, sizeof(part), "删除%zu张", na - nb);
        add_part(out, len, part);
    }
    static const char *const parts[][2] = {{"ticker", "滚动字幕"}, {"alert", "警报"},
                                           {"theme", "主题"},      {"school", "学校名称"},
                                           {"defaults", "默认设置"}, {"lang", "语言"}};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        json_t *x = json_object_get(a, parts[i][0]), *y = json_object_get(b, parts[i][0]);
        if ((x || y) && !(x && y && json_equal(x, y)))
            add_part(out, len, parts[i][1]);
    }
    if (!out[0])
        snprintf(out, len, "重新发布（内容未变）");
done:
    json_decref(a);
    json_decref(b);
}
