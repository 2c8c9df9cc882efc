/* Streaming JSON writer (see parsim/json_writer.h). */
#include "parsim/json_writer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parsim/util.h"

void ps_json_writer_init(ps_json_writer *w, FILE *fp, int indent)
{
    memset(w, 0, sizeof *w);
    w->fp = fp;
    w->indent = indent < 0 ? 0 : indent;
}

static void misuse(ps_json_writer *w, const char *what)
{
    if (!w->misuse)
        w->misuse = what;
}

static void newline(ps_json_writer *w)
{
    if (!w->indent)
        return;
    fputc('\n', w->fp);
    for (int i = 0; i < w->depth * w->indent; i++)
        fputc(' ', w->fp);
}

/* Before any value: checks that one is allowed here and writes the separator. */
static bool before_value(ps_json_writer *w)
{
    if (w->misuse)
        return false;
    if (w->done) {
        misuse(w, "a second top-level value");
        return false;
    }
    if (w->depth == 0)
        return true;
    int level = w->depth - 1;
    if (w->in_object[level]) {
        if (!w->key_pending) {
            misuse(w, "a value in an object without its key");
            return false;
        }
        w->key_pending = false;
        return true;
    }
    if (w->has_items[level])
        fputc(',', w->fp);
    w->has_items[level] = true;
    newline(w);
    return true;
}

static void after_value(ps_json_writer *w)
{
    if (w->depth == 0)
        w->done = true;
}

static void begin(ps_json_writer *w, bool object)
{
    if (!before_value(w))
        return;
    if (w->depth == PS_JSON_MAX_DEPTH) {
        misuse(w, "nesting deeper than PS_JSON_MAX_DEPTH");
        return;
    }
    fputc(object ? '{' : '[', w->fp);
    w->in_object[w->depth] = object;
    w->has_items[w->depth] = false;
    w->depth++;
}

static void end(ps_json_writer *w, bool object)
{
    if (w->misuse)
        return;
    if (w->depth == 0 || w->in_object[w->depth - 1] != object) {
        misuse(w, object ? "an object end without its begin" : "an array end without its begin");
        return;
    }
    if (w->key_pending) {
        misuse(w, "a key without its value");
        return;
    }
    bool had_items = w->has_items[w->depth - 1];
    w->depth--;
    if (had_items)
        newline(w);
    fputc(object ? '}' : ']', w->fp);
    after_value(w);
}

void ps_json_begin_object(ps_json_writer *w) { begin(w, true); }
void ps_json_end_object(ps_json_writer *w) { end(w, true); }
void ps_json_begin_array(ps_json_writer *w) { begin(w, false); }
void ps_json_end_array(ps_json_writer *w) { end(w, false); }

void ps_json_key(ps_json_writer *w, const char *key)
{
    if (w->misuse)
        return;
    if (w->depth == 0 || !w->in_object[w->depth - 1]) {
        misuse(w, "a key outside an object");
        return;
    }
    if (w->key_pending) {
        misuse(w, "two keys in a row");
        return;
    }
    int level = w->depth - 1;
    if (w->has_items[level])
        fputc(',', w->fp);
    w->has_items[level] = true;
    newline(w);
    ps_json_write_string(w->fp, key);
    fputs(w->indent ? ": " : ":", w->fp);
    w->key_pending = true;
}

static void raw_value(ps_json_writer *w, const char *text)
{
    if (!before_value(w))
        return;
    fputs(text, w->fp);
    after_value(w);
}

void ps_json_string(ps_json_writer *w, const char *text)
{
    if (!text) {
        ps_json_null(w);
        return;
    }
    if (!before_value(w))
        return;
    ps_json_write_string(w->fp, text);
    after_value(w);
}

const char *ps_json_format_number(double v, char *buf, size_t size)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "null");
        return buf;
    }
    if (v == floor(v) && fabs(v) < 9007199254740992.0) { /* 2^53: every integer exact */
        snprintf(buf, size, "%.0f", v == 0 ? 0.0 : v);  /* -0 prints as 0 */
        return buf;
    }
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(buf, size, "%.*g", precision, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

void ps_json_number(ps_json_writer *w, double value)
{
    char buf[40];
    raw_value(w, ps_json_format_number(value, buf, sizeof buf));
}

void ps_json_int(ps_json_writer *w, int64_t value)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)value);
    raw_value(w, buf);
}

void ps_json_bool(ps_json_writer *w, bool value) { raw_value(w, value ? "true" : "false"); }
void ps_json_null(ps_json_writer *w) { raw_value(w, "null"); }

void ps_json_key_string(ps_json_writer *w, const char *key, const char *text)
{
    ps_json_key(w, key);
    ps_json_string(w, text);
}

void ps_json_key_number(ps_json_writer *w, const char *key, double value)
{
    ps_json_key(w, key);
    ps_json_number(w, value);
}

void ps_json_key_int(ps_json_writer *w, const char *key, int64_t value)
{
    ps_json_key(w, key);
    ps_json_int(w, value);
}

void ps_json_key_bool(ps_json_writer *w, const char *key, bool value)
{
    ps_json_key(w, key);
    ps_json_bool(w, value);
}

int ps_json_writer_finish(ps_json_writer *w, ps_error *err)
{
    if (!w->misuse && !w->done)
        misuse(w, w->depth ? "an object or array left open" : "no value written");
    if (w->misuse)
        return ps_error_set(err, PS_EINTERNAL, "JSON writer: %s", w->misuse);
    fputc('\n', w->fp);
    return PS_OK;
}
