/* XML / HTML escaping (see ps_xml_write_escaped in parsim/util.h). */
#include "parsim/util.h"

#include <string.h>

/* The replacement of one byte, or NULL when it passes through. */
static const char *xml_entity(unsigned char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    case '\t':
    case '\n':
    case '\r': return NULL;
    }
    return c < 0x20 ? "&#xFFFD;" : NULL;
}

void ps_xml_write_escaped(FILE *fp, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++) {
        const char *entity = xml_entity(*p);
        if (entity)
            fputs(entity, fp);
        else
            fputc(*p, fp);
    }
}

int ps_strbuf_append_xml_escaped(ps_strbuf *sb, const char *text)
{
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    while (*p) {
        size_t plain = 0;
        while (p[plain] && !xml_entity(p[plain]) && plain < (1u << 30)) /* fits %.*s's int */
            plain++;
        if (plain && ps_strbuf_appendf(sb, "%.*s", (int)plain, (const char *)p))
            return PS_EINTERNAL;
        p += plain;
        if (*p && ps_strbuf_appendf(sb, "%s", xml_entity(*p++)))
            return PS_EINTERNAL;
    }
    return PS_OK;
}
