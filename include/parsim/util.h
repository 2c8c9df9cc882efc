/* parsim/util.h: small shared helpers: strict number parsing, sizes with units, atomic file
 * writes, a growable string buffer. Everything here is libc only (linked by the CUDA runtime).
 */
#ifndef PARSIM_UTIL_H
#define PARSIM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "parsim/error.h"

/* Strict parsers: the whole string must be a number (no trailing junk, no empty string, no
 * overflow). `what` names the flag or field in the error, e.g. "--tp" or "trace.csv:12: start_ns". */
int ps_parse_i64(const char *text, const char *what, int64_t *out, ps_error *err);
int ps_parse_u64(const char *text, const char *what, uint64_t *out, ps_error *err);
int ps_parse_int(const char *text, const char *what, int min, int max, int *out, ps_error *err);
int ps_parse_double(const char *text, const char *what, double *out, ps_error *err);

/* A byte size as nccl-tests writes it: "8", "64K", "1M", "8G" (powers of 1024, K/M/G/T, an
 * optional trailing B). */
int ps_parse_size_bytes(const char *text, const char *what, uint64_t *out, ps_error *err);

/* Atomic write: open a temporary file beside `path`, let the caller write, then rename over
 * `path` on commit (fsync first). On abort or failure nothing at `path` changes. */
typedef struct ps_atomic_file {
    FILE *fp;
    char *final_path;
    char *temp_path;
} ps_atomic_file;

int ps_atomic_open(ps_atomic_file *af, const char *path, ps_error *err);
int ps_atomic_commit(ps_atomic_file *af, ps_error *err); /* closes; checks every write */
void ps_atomic_abort(ps_atomic_file *af);                /* closes and removes the temp file */

/* True when both paths name the same existing file (same device and inode, so links and
 * "./x" vs "x" count). Commands call it before writing -o so that an output path equal to an
 * input is refused instead of replacing the input. */
bool ps_same_file(const char *a, const char *b);

/* Text inputs. ps_open_text_input refuses a directory (fopen succeeds on one and the first read
 * fails, which readers took for an empty file). ps_getline_bounded is getline with a ceiling:
 * it returns the length, -1 at end of file, -2 when a line exceeds max_bytes (a file without
 * newlines, /dev/zero, would otherwise grow the buffer without end). */
FILE *ps_open_text_input(const char *path, ps_error *err);
long ps_getline_bounded(char **line, size_t *cap, FILE *fp, size_t max_bytes);

/* Writes text as a JSON string literal (quotes, backslash escapes, \u00XX for other control
 * characters; UTF-8 passes through). NULL writes "". For writers that must stay libc only. */
void ps_json_write_string(FILE *fp, const char *text);

/* Writes text escaped for XML and HTML, in text and in attribute values alike: & < > " ' become
 * entities; control characters that XML 1.0 forbids (below 0x20 except tab, LF, CR) become
 * U+FFFD (&#xFFFD;) so that an SVG or HTML report of a hostile kernel name stays well-formed.
 * UTF-8 passes through. NULL writes nothing. */
void ps_xml_write_escaped(FILE *fp, const char *text);

/* Growable NUL-terminated string. */
typedef struct ps_strbuf {
    char *data;
    size_t len;
    size_t cap;
} ps_strbuf;

int ps_strbuf_appendf(ps_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ps_strbuf_append_xml_escaped(ps_strbuf *sb, const char *text); /* as ps_xml_write_escaped */
void ps_strbuf_free(ps_strbuf *sb);

#endif
