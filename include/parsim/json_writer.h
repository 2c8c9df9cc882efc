/* parsim/json_writer.h: a streaming JSON writer for every JSON output of the project (libc only):
 * objects, arrays, keys, numbers, strings, booleans, null, written as they come (no tree in
 * memory), with one formatting rule so that two runs are byte-identical and every command's JSON
 * looks alike.
 *
 * Formatting:
 *   - indent 0: compact ({"a":1,"b":[1,2]}); indent n: one member or element per line, n spaces
 *     per level, "key": value with one space.
 *   - numbers: integers (|x| < 2^53 with no fraction) as integers ("3", not "3.0"); others in the
 *     shortest of %.15g / %.16g / %.17g that reads back as the same double; NaN and infinities as
 *     null (JSON has neither);
 *   - strings: ps_json_write_string's escaping (quotes, backslash, \n, \t, \u00XX for other control
 *     characters; UTF-8 passes through).
 * Misuse (a value where a key is due, a key in an array, unbalanced ends, nesting deeper than
 * PS_JSON_MAX_DEPTH) sets an internal error that ps_json_writer_finish reports; it never crashes.
 * Write errors are the stream's (ps_atomic_commit or fflush reports them).
 *
 *   ps_json_writer w;
 *   ps_json_writer_init(&w, stdout, 2);
 *   ps_json_begin_object(&w);
 *   ps_json_key(&w, "rows"); ps_json_begin_array(&w); ps_json_number(&w, 1.5); ps_json_end_array(&w);
 *   ps_json_end_object(&w);
 *   if (ps_json_writer_finish(&w, &err)) ...   (writes the final newline)
 */
#ifndef PARSIM_JSON_WRITER_H
#define PARSIM_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "parsim/error.h"

#define PS_JSON_MAX_DEPTH 64

typedef struct ps_json_writer {
    FILE *fp;
    int indent;
    int depth;
    bool in_object[PS_JSON_MAX_DEPTH]; /* per open level: object (true) or array */
    bool has_items[PS_JSON_MAX_DEPTH]; /* per open level: something was written in it */
    bool key_pending;                  /* a key was written, its value is due */
    bool done;                         /* the top-level value is complete */
    const char *misuse;                /* first misuse, NULL when none */
} ps_json_writer;

void ps_json_writer_init(ps_json_writer *w, FILE *fp, int indent);

void ps_json_begin_object(ps_json_writer *w);
void ps_json_end_object(ps_json_writer *w);
void ps_json_begin_array(ps_json_writer *w);
void ps_json_end_array(ps_json_writer *w);
void ps_json_key(ps_json_writer *w, const char *key);

void ps_json_string(ps_json_writer *w, const char *text); /* NULL writes null */
void ps_json_number(ps_json_writer *w, double value);
void ps_json_int(ps_json_writer *w, int64_t value);
void ps_json_bool(ps_json_writer *w, bool value);
void ps_json_null(ps_json_writer *w);

/* Shorthands for a key and its value. */
void ps_json_key_string(ps_json_writer *w, const char *key, const char *text);
void ps_json_key_number(ps_json_writer *w, const char *key, double value);
void ps_json_key_int(ps_json_writer *w, const char *key, int64_t value);
void ps_json_key_bool(ps_json_writer *w, const char *key, bool value);

/* Formats a number as the writer does into buf (at least 32 bytes); returns buf. */
const char *ps_json_format_number(double value, char *buf, size_t size);

/* Ends the document with a newline. PS_EINTERNAL naming the misuse when the calls did not form
 * one complete JSON value. */
int ps_json_writer_finish(ps_json_writer *w, ps_error *err);

#endif
