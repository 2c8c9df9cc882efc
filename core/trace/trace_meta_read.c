/* Strict reader of a trace's meta.json (cJSON).
 *
 * The file must be one JSON object whose keys are exactly those of ps_trace_meta_fields (no
 * unknown key, none missing, none twice), with the right JSON type each, and a format this
 * parsim reads. Errors name the line of the offending key ("meta.json:7: gpu_count: ..."); the
 * file is capped at 64 KiB, far above the ~1 KiB a real one takes.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "parsim/trace.h"
#include "trace_internal.h"

#define PS_TRACE_META_MAX_BYTES 65536

static void sanitize(ps_error *err)
{
    for (char *p = err->message; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
            *p = '?';
}

static long line_at(const char *text, size_t offset)
{
    long line = 1;
    for (size_t i = 0; i < offset && text[i]; i++)
        line += text[i] == '\n';
    return line;
}

/* Line of the nth (1-based) occurrence of "key" followed by a colon, 1 when not found. */
static long line_of_key_nth(const char *text, const char *key, int nth)
{
    size_t n = strlen(key);
    for (const char *p = strchr(text, '"'); p; p = strchr(p + 1, '"')) {
        if (strncmp(p + 1, key, n) == 0 && p[n + 1] == '"') {
            const char *q = p + n + 2;
            while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
                q++;
            if (*q == ':' && --nth == 0)
                return line_at(text, (size_t)(p - text));
        }
    }
    return 1;
}

static long line_of_key(const char *text, const char *key) { return line_of_key_nth(text, key, 1); }

static int meta_fail(ps_error *err, const char *path, long line, const char *fmt, const char *a, const char *b)
{
    char reason[PS_ERROR_MESSAGE_BYTES];
    snprintf(reason, sizeof reason, fmt, a, b);
    ps_error_set(err, PS_EINPUT, "%s:%ld: %s", path, line, reason);
    if (err)
        sanitize(err);
    return PS_EINPUT;
}

static int read_text(const char *path, char **out, size_t *len, ps_error *err)
{
    struct stat st;
    FILE *fp = NULL;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL; /* a FIFO would block: not a trace file */
    else
        fp = fopen(path, "rb");
    if (!fp) {
        ps_error_set(err, PS_EINPUT, "%s: cannot open: %s", path, errno == EINVAL ? "not a regular file" : strerror(errno));
        return PS_EINPUT;
    }
    char *buf = malloc(PS_TRACE_META_MAX_BYTES + 1);
    if (!buf) {
        fclose(fp);
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    }
    size_t n = fread(buf, 1, PS_TRACE_META_MAX_BYTES + 1, fp);
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        return meta_fail(err, path, 1, "read error%s%s", "", "");
    }
    if (n > PS_TRACE_META_MAX_BYTES) {
        free(buf);
        return meta_fail(err, path, 1, "larger than 64 KiB: not a trace metadata file%s%s", "", "");
    }
    buf[n] = '\0';
    if (n == 0) {
        free(buf);
        return meta_fail(err, path, 1, "empty file (expected a JSON object with \"format\": \"%s\")%s",
                         PS_TRACE_FORMAT, "");
    }
    const char *nul = memchr(buf, '\0', n);
    if (nul) {
        long line = line_at(buf, (size_t)(nul - buf));
        free(buf);
        return meta_fail(err, path, line, "NUL byte: this is binary data, not JSON%s%s", "", "");
    }
    *out = buf;
    *len = n;
    return PS_OK;
}

static int set_field(const ps_meta_field *f, const cJSON *item, ps_trace_meta *meta, const char *path,
                     long line, ps_error *err)
{
    char *base = (char *)meta + f->offset;
    switch (f->type) {
    case PS_META_FORMAT: /* parsed first, by read_format */
        return PS_OK;
    case PS_META_SOURCE:
        if (!cJSON_IsString(item) || !ps_trace_source_parse(item->valuestring, &meta->source))
            return meta_fail(err, path, line, "source: expected one of parsim-record, nsys, kineto, synthetic%s%s",
                             "", "");
        return PS_OK;
    case PS_META_BOOL:
        if (!cJSON_IsBool(item))
            return meta_fail(err, path, line, "%s: expected true or false%s", f->key, "");
        *(bool *)base = cJSON_IsTrue(item);
        return PS_OK;
    case PS_META_INT: {
        double v = cJSON_IsNumber(item) ? item->valuedouble : -1.0;
        if (!cJSON_IsNumber(item) || v != floor(v) || v < 0 || v > INT_MAX)
            return meta_fail(err, path, line, "%s: expected a non-negative integer (0 = unknown)%s", f->key, "");
        *(int *)base = (int)v;
        return PS_OK;
    }
    case PS_META_RANK: {
        double v = cJSON_IsNumber(item) ? item->valuedouble : -2.0;
        if (!cJSON_IsNumber(item) || v != floor(v) || v < -1 || v > INT_MAX)
            return meta_fail(err, path, line, "%s: expected a rank or -1 (none)%s", f->key, "");
        *(int *)base = (int)v;
        return PS_OK;
    }
    case PS_META_STRING:
        if (!cJSON_IsString(item))
            return meta_fail(err, path, line, "%s: expected a string (\"\" = unknown)%s", f->key, "");
        if (strlen(item->valuestring) > PS_TRACE_MAX_TEXT_BYTES)
            return meta_fail(err, path, line, "%s: longer than 255 bytes%s", f->key, "");
        strcpy(base, item->valuestring);
        return PS_OK;
    }
    return PS_EINTERNAL;
}

/* The version decides which keys the file must have, so it is read before any other key. */
static int read_format(const cJSON *root, const char *text, const char *path, int *version, ps_error *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, "format");
    *version = PS_TRACE_FORMAT_VERSION;
    if (!item)
        return PS_OK; /* reported as a missing key, after the other keys */
    long line = line_of_key(text, "format");
    if (!cJSON_IsString(item))
        return meta_fail(err, path, line, "format: expected a string like \"%s\"%s", PS_TRACE_FORMAT, "");
    if (!ps_trace_format_parse(item->valuestring, version))
        return meta_fail(err, path, line, "format: '%.60s' is not supported (this parsim reads %s)",
                         item->valuestring, "'parsim-trace 1' and 'parsim-trace 2'");
    return PS_OK;
}

static int parse_meta(const char *path, const char *text, size_t len, ps_trace_meta *meta, ps_error *err)
{
    const char *end = NULL;
    /* cJSON wants the terminating NUL inside the length when it must end the document. */
    cJSON *root = cJSON_ParseWithLengthOpts(text, len + 1, &end, true);
    if (!root) {
        size_t at = end && end >= text ? (size_t)(end - text) : 0;
        const char *where = cJSON_GetErrorPtr();
        if (where && where >= text && where <= text + len)
            at = (size_t)(where - text);
        return meta_fail(err, path, line_at(text, at), "not valid JSON%s%s", "", "");
    }
    int rc = PS_OK;
    if (!cJSON_IsObject(root)) {
        rc = meta_fail(err, path, 1, "expected a JSON object%s%s", "", "");
        goto out;
    }
    int version;
    if ((rc = read_format(root, text, path, &version, err)))
        goto out;
    meta->format_version = version;
    const char *format = ps_trace_format_name(version);
    bool seen[64] = {false};
    for (const cJSON *item = root->child; item; item = item->next) {
        int k = -1;
        for (int i = 0; i < ps_trace_meta_field_count; i++)
            if (strcmp(ps_trace_meta_fields[i].key, item->string) == 0)
                k = i;
        long line = line_of_key(text, item->string);
        if (k < 0) {
            rc = meta_fail(err, path, line, "unknown key '%.60s' (format %s)", item->string, format);
            goto out;
        }
        if (ps_trace_meta_fields[k].since > version) {
            rc = meta_fail(err, path, line, "unknown key '%s' in a %s file (it is a key of parsim-trace 2)",
                           item->string, format);
            goto out;
        }
        if (seen[k]) {
            rc = meta_fail(err, path, line_of_key_nth(text, item->string, 2), "key '%s' appears twice%s",
                           item->string, "");
            goto out;
        }
        seen[k] = true;
        if ((rc = set_field(&ps_trace_meta_fields[k], item, meta, path, line, err)))
            goto out;
    }
    for (int i = 0; i < ps_trace_meta_field_count; i++)
        if (!seen[i] && ps_trace_meta_fields[i].since <= version) {
            rc = meta_fail(err, path, 1, "missing key '%s' (format %s)", ps_trace_meta_fields[i].key, format);
            goto out;
        }
    if ((rc = ps_trace_meta_validate(meta, err))) {
        /* Rule messages start with the key name: point at its line. */
        char key[64];
        size_t n = strcspn(err->message, ":");
        snprintf(key, sizeof key, "%.*s", (int)(n < sizeof key ? n : sizeof key - 1), err->message);
        ps_error_prefix(err, "%s:%ld", path, line_of_key(text, key));
        err->code = PS_EINPUT;
        sanitize(err);
        rc = PS_EINPUT;
    }
out:
    cJSON_Delete(root);
    return rc;
}

int ps_trace_parse_meta(const char *name, const char *text, size_t len, ps_trace_meta *meta, ps_error *err)
{
    ps_trace_meta_init(meta, PS_TRACE_SOURCE_SYNTHETIC);
    if (len > PS_TRACE_META_MAX_BYTES)
        return meta_fail(err, name, 1, "larger than 64 KiB: not a trace metadata file%s%s", "", "");
    if (len == 0)
        return meta_fail(err, name, 1, "empty file (expected a JSON object with \"format\": \"%s\")%s",
                         PS_TRACE_FORMAT, "");
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        /* line_at stops at a NUL, so count up to it by hand */
        long line = 1;
        for (const char *p = text; p < nul; p++)
            line += *p == '\n';
        return meta_fail(err, name, line, "NUL byte: this is binary data, not JSON%s%s", "", "");
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    memcpy(copy, text, len);
    copy[len] = '\0';
    int rc = parse_meta(name, copy, len, meta, err);
    free(copy);
    return rc;
}

int ps_trace_read_meta(const char *dir, ps_trace_meta *meta, ps_error *err)
{
    if (!dir[0]) /* "" would read /meta.json, at the root of the file system */
        return ps_error_set(err, PS_EINPUT, "empty trace directory name (give a directory with %s)", PS_TRACE_META_FILE);
    size_t n = strlen(dir) + sizeof PS_TRACE_META_FILE + 2;
    char *path = malloc(n);
    if (!path)
        return ps_error_set(err, PS_EINTERNAL, "out of memory");
    snprintf(path, n, "%s/%s", dir, PS_TRACE_META_FILE);
    char *text = NULL;
    size_t len = 0;
    ps_trace_meta_init(meta, PS_TRACE_SOURCE_SYNTHETIC);
    int rc = read_text(path, &text, &len, err);
    if (!rc)
        rc = parse_meta(path, text, len, meta, err);
    free(text);
    free(path);
    return rc;
}
