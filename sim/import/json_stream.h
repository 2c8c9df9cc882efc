/* sim/import/json_stream.h: a strict, streaming JSON reader for large trace files.
 *
 * Why not cJSON: a PyTorch profiler (Kineto) trace from a real job is hundreds of MB and cJSON
 * builds the whole document in memory (5-10x the file), and it turns every number into a double,
 * which loses nanoseconds on absolute microsecond timestamps (1.7e9 s = 1.7e15 us needs 19
 * significant digits with the ns fraction; a double has 15-17). This reader
 *   - pulls the document through a fixed 64 KiB buffer, so memory is bounded by the largest single
 *     value the caller asks to materialise (one trace event), not by the file;
 *   - keeps numbers as their exact source text (callers convert with ps_jv_to_i64 / ps_jv_us_to_ns);
 *   - is strict RFC 8259: no trailing commas, no comments, no NaN, no leading zeros, no control
 *     characters or invalid UTF-8 escapes in strings, nothing after the top-level value;
 *   - bounds nesting (PS_JSON_MAX_DEPTH) and the size of one materialised value
 *     (PS_JSON_MAX_VALUE_BYTES), so hostile input can neither overflow the stack nor exhaust memory.
 *   - reads gzip transparently (ps_json_open_auto): a file whose first two bytes are gzip's magic
 *     (1f 8b, RFC 1952), whatever its name, is inflated with zlib through a second fixed 64 KiB
 *     buffer (zlib's own state is ~45 KiB), so `*.pt.trace.json.gz` streams in the same bounded
 *     memory. Concatenated gzip members are read in turn (RFC 1952 section 2.2). A truncated or
 *     corrupt stream is an error naming the file, never a silently shorter document.
 * Errors are PS_EINPUT with "FILE:LINE: reason" (LINE counts '\n' from 1, in the decompressed text
 * for gzip input).
 *
 * Use: ps_json_open, then walk the top level with ps_json_peek / ps_json_expect / ps_json_read_key and
 * materialise the values you want with ps_json_value (into an arena you reset between values) or
 * skip them with ps_json_skip.
 */
#ifndef PARSIM_IMPORT_JSON_STREAM_H
#define PARSIM_IMPORT_JSON_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "parsim/error.h"

#define PS_JSON_MAX_DEPTH 64
#define PS_JSON_MAX_VALUE_BYTES ((size_t)256 << 20) /* one materialised value (arena bytes) */

typedef enum ps_jv_type { PS_JV_NULL, PS_JV_BOOL, PS_JV_NUMBER, PS_JV_STRING, PS_JV_ARRAY, PS_JV_OBJECT } ps_jv_type;

/* A materialised value. Strings are decoded UTF-8 (may contain NUL bytes only if the input had
 * \u0000; len says the true length). Numbers keep their source text. Bools: text "true"/"false". */
typedef struct ps_jv {
    ps_jv_type type;
    const char *key;    /* member name when this value is an object member, else NULL */
    const char *text;   /* string, number or bool text; NUL-terminated */
    size_t len;
    struct ps_jv *child; /* first element / member */
    struct ps_jv *next;  /* next sibling */
} ps_jv;

/* Bump allocator for materialised values: reset (not freed) between trace events. */
typedef struct ps_arena_chunk ps_arena_chunk;
typedef struct ps_arena {
    ps_arena_chunk *head;
    size_t used_bytes; /* over all chunks since the last reset */
} ps_arena;

void ps_arena_reset(ps_arena *a);
void ps_arena_free(ps_arena *a);

typedef struct ps_json_reader {
    FILE *fp;
    const char *file; /* name used in messages */
    unsigned char buf[65536];
    size_t pos, len;
    long line;
    bool eof;
    bool read_error;
    char read_error_text[160]; /* why, when read_error ("" = an I/O error of the file) */
    struct ps_json_gzip *gz;   /* NULL: plain input */
} ps_json_reader;

/* Plain (uncompressed) input. */
void ps_json_open(ps_json_reader *r, FILE *fp, const char *file_name);
/* Plain or gzip input, told apart by the first bytes (not by the name). *is_gzip (may be NULL)
 * says which. Fails (PS_EINTERNAL) only when out of memory. Free with ps_json_close. */
int ps_json_open_auto(ps_json_reader *r, FILE *fp, const char *file_name, bool *is_gzip, ps_error *err);
/* After an error on gzip input: reads the rest of the gzip stream, and when it is damaged
 * (truncated, bad CRC, corrupt deflate data) replaces *err by that reason, which is then the real
 * one (damaged data usually shows up first as malformed JSON). No-op on plain input. */
void ps_json_blame_gzip(ps_json_reader *r, ps_error *err);
/* Releases what ps_json_open_auto allocated (not the FILE). Safe after ps_json_open too. */
void ps_json_close(ps_json_reader *r);

/* The next significant character without consuming it; 0 at end of input (or read error). */
int ps_json_peek(ps_json_reader *r, ps_error *err, int *c);
/* Consumes the character c (after whitespace) or fails naming what was expected. */
int ps_json_expect(ps_json_reader *r, char c, const char *what, ps_error *err);
/* After an element or member: consumes ',' (returns *more = true) or `close` (*more = false). */
int ps_json_next(ps_json_reader *r, char close, bool *more, ps_error *err);
/* Reads a member name and the ':' after it into `arena`. */
int ps_json_read_key(ps_json_reader *r, ps_arena *arena, const char **key, ps_error *err);
/* Materialises the next value into `arena`. */
int ps_json_value(ps_json_reader *r, ps_arena *arena, ps_jv **out, ps_error *err);
/* Validates and discards the next value (strings and numbers are checked, nothing is kept). */
int ps_json_skip(ps_json_reader *r, ps_error *err);
/* Fails unless only whitespace remains. */
int ps_json_finish(ps_json_reader *r, ps_error *err);
/* "FILE:LINE" of the reader's current position, for the caller's own semantic errors. */
int ps_json_fail(ps_json_reader *r, ps_error *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Helpers on materialised values. */
const ps_jv *ps_jv_get(const ps_jv *object, const char *key); /* first member named key, or NULL */
/* Integer number (no fraction, no exponent) in int64 range. false otherwise. */
bool ps_jv_to_i64(const ps_jv *v, int64_t *out);
/* A number in microseconds (Chrome trace `ts`/`dur`) to integer nanoseconds, exactly: the decimal
 * text is scaled by 1000 in integer arithmetic; digits below 1 ns are rounded half away from zero.
 * false on non-numbers and on overflow of int64. */
bool ps_jv_us_to_ns(const ps_jv *v, int64_t *out_ns);
/* Same for a number already in nanoseconds (scale 1). */
bool ps_jv_num_to_i64_rounded(const ps_jv *v, int64_t *out);

#endif
