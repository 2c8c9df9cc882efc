#include "parsim/util.h"
#include "parsim/array.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_blank(const char *text) { return !text || *text == '\0' || isspace((unsigned char)*text); }

int ps_parse_i64(const char *text, const char *what, int64_t *out, ps_error *err)
{
    if (is_blank(text))
        return ps_error_set(err, PS_EINPUT, "%s: expected an integer, got '%s'", what, text ? text : "");
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno == ERANGE)
        return ps_error_set(err, PS_EINPUT, "%s: integer out of range: '%s'", what, text);
    if (*end != '\0')
        return ps_error_set(err, PS_EINPUT, "%s: expected an integer, got '%s'", what, text);
    *out = (int64_t)value;
    return PS_OK;
}

int ps_parse_u64(const char *text, const char *what, uint64_t *out, ps_error *err)
{
    if (is_blank(text) || text[0] == '-')
        return ps_error_set(err, PS_EINPUT, "%s: expected a non-negative integer, got '%s'", what,
                            text ? text : "");
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno == ERANGE)
        return ps_error_set(err, PS_EINPUT, "%s: integer out of range: '%s'", what, text);
    if (*end != '\0')
        return ps_error_set(err, PS_EINPUT, "%s: expected a non-negative integer, got '%s'", what, text);
    *out = (uint64_t)value;
    return PS_OK;
}

int ps_parse_int(const char *text, const char *what, int min, int max, int *out, ps_error *err)
{
    int64_t value;
    int rc = ps_parse_i64(text, what, &value, err);
    if (rc)
        return rc;
    if (value < min || value > max)
        return ps_error_set(err, PS_EINPUT, "%s: %lld is out of range [%d, %d]", what, (long long)value,
                            min, max);
    *out = (int)value;
    return PS_OK;
}

int ps_parse_double(const char *text, const char *what, double *out, ps_error *err)
{
    if (is_blank(text))
        return ps_error_set(err, PS_EINPUT, "%s: expected a number, got '%s'", what, text ? text : "");
    char *end = NULL;
    errno = 0;
    double value = strtod(text, &end);
    /* strtod also reads C's hexadecimal floats ("0x10" = 16, "0x1p4"): no unit parsim reads is
     * written that way, so such a value is a mistake, not 16 */
    const char *digits = text + (*text == '-' || *text == '+');
    bool hex = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X');
    if (*end != '\0' || hex)
        return ps_error_set(err, PS_EINPUT, "%s: expected a number, got '%s'", what, text);
    if (errno == ERANGE || !isfinite(value))
        return ps_error_set(err, PS_EINPUT, "%s: number out of range: '%s'", what, text);
    *out = value;
    return PS_OK;
}

int ps_parse_size_bytes(const char *text, const char *what, uint64_t *out, ps_error *err)
{
    if (is_blank(text) || !isdigit((unsigned char)text[0]))
        return ps_error_set(err, PS_EINPUT, "%s: expected a size like 8, 64K, 1M or 8G, got '%s'", what,
                            text ? text : "");
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    uint64_t scale = 1;
    switch (toupper((unsigned char)*end)) {
    case 'K': scale = 1ULL << 10; end++; break;
    case 'M': scale = 1ULL << 20; end++; break;
    case 'G': scale = 1ULL << 30; end++; break;
    case 'T': scale = 1ULL << 40; end++; break;
    default: break;
    }
    if (toupper((unsigned char)*end) == 'B')
        end++;
    if (*end != '\0' || errno == ERANGE)
        return ps_error_set(err, PS_EINPUT, "%s: expected a size like 8, 64K, 1M or 8G, got '%s'", what, text);
    if (value > UINT64_MAX / scale)
        return ps_error_set(err, PS_EINPUT, "%s: size out of range: '%s'", what, text);
    *out = (uint64_t)value * scale;
    return PS_OK;
}

/* True when fd is open on the file st describes (an output renamed over the file that this
 * process's stdout or stderr is redirected to would swallow what is printed there). */
static bool same_as_fd(const struct stat *st, int fd)
{
    struct stat fs;
    return fstat(fd, &fs) == 0 && S_ISREG(fs.st_mode) && fs.st_dev == st->st_dev && fs.st_ino == st->st_ino;
}

int ps_atomic_open(ps_atomic_file *af, const char *path, ps_error *err)
{
    memset(af, 0, sizeof *af);
    /* an empty name (--csv "") made ".XXXXXX" in the current directory, ran the whole command,
     * then failed the rename with "': write failed: No such file or directory" */
    if (!path[0])
        return ps_error_set(err, PS_EINPUT, "an output file name is empty");
    /* A symbolic link is written through: the temporary file goes beside its target and is
     * renamed over the target, never over the link. Renaming over the link replaced it (as
     * root, --ops /dev/stdout with stdout redirected to a file turned the /dev/stdout link into
     * a regular file for the whole machine). */
    const char *target = path;
    char *resolved = NULL;
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        if (!(resolved = realpath(path, NULL))) {
            int saved = errno;
            if (stat(path, &st) == 0) /* /dev/stdout on a pipe: /proc/self/fd/1 -> "pipe:[...]" */
                return ps_error_set(err, PS_EINPUT, "%s: not a regular file (outputs are written to a temporary file "
                                    "and renamed into place)", path);
            return ps_error_set(err, PS_EINPUT, "%s: a symbolic link that does not resolve: %s", path, strerror(saved));
        }
        target = resolved;
    }
    size_t n = strlen(target);
    af->final_path = strdup(target);
    af->temp_path = malloc(n + 16);
    free(resolved);
    if (!af->final_path || !af->temp_path) {
        ps_atomic_abort(af);
        return ps_error_set(err, PS_EINTERNAL, "%s: out of memory", path);
    }
    /* The temporary file is renamed over `path`: over a device (/dev/full, /dev/null), a FIFO or
     * a directory that would replace the node itself (run as root, it removed /dev/full). */
    if (stat(af->final_path, &st) == 0 && !S_ISREG(st.st_mode)) {
        free(af->temp_path);
        af->temp_path = NULL;
        ps_atomic_abort(af);
        return ps_error_set(err, PS_EINPUT, "%s: not a regular file (outputs are written to a temporary file and renamed into place)",
                            path);
    }
    if (stat(af->final_path, &st) == 0 && (same_as_fd(&st, STDOUT_FILENO) || same_as_fd(&st, STDERR_FILENO))) {
        free(af->temp_path);
        af->temp_path = NULL;
        ps_atomic_abort(af);
        return ps_error_set(err, PS_EINPUT, "%s: is where this command's standard output or error goes: give the "
                            "output its own file", path);
    }
    snprintf(af->temp_path, n + 16, "%s.XXXXXX", af->final_path);
    int fd = mkstemp(af->temp_path);
    if (fd < 0) {
        int saved = errno;
        free(af->temp_path);
        af->temp_path = NULL;
        ps_atomic_abort(af);
        return ps_error_set(err, PS_EINPUT, "%s: cannot create: %s", path, strerror(saved));
    }
    af->fp = fdopen(fd, "w");
    if (!af->fp) {
        close(fd);
        ps_atomic_abort(af);
        return ps_error_set(err, PS_EINTERNAL, "%s: fdopen failed", path);
    }
    return PS_OK;
}

int ps_atomic_commit(ps_atomic_file *af, ps_error *err)
{
    int failed = ferror(af->fp) || fflush(af->fp) != 0 || fsync(fileno(af->fp)) != 0;
    failed |= fclose(af->fp) != 0;
    af->fp = NULL;
    if (!failed && chmod(af->temp_path, 0644) != 0)
        failed = 1;
    if (failed || rename(af->temp_path, af->final_path) != 0) {
        int saved = errno;
        char path[PS_ERROR_MESSAGE_BYTES];
        snprintf(path, sizeof path, "%s", af->final_path);
        ps_atomic_abort(af);
        return ps_error_set(err, PS_EINPUT, "%s: write failed: %s", path, strerror(saved));
    }
    free(af->temp_path);
    free(af->final_path);
    af->temp_path = af->final_path = NULL;
    return PS_OK;
}

void ps_atomic_abort(ps_atomic_file *af)
{
    if (af->fp)
        fclose(af->fp);
    if (af->temp_path)
        unlink(af->temp_path);
    free(af->temp_path);
    free(af->final_path);
    memset(af, 0, sizeof *af);
}

bool ps_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (!a || !b || stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return false;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

void ps_json_write_string(FILE *fp, const char *text)
{
    fputc('"', fp);
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(fp, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", fp);
        else if (*p == '\t')
            fputs("\\t", fp);
        else if (*p < 0x20)
            fprintf(fp, "\\u%04x", *p);
        else
            fputc(*p, fp);
    }
    fputc('"', fp);
}

int ps_strbuf_appendf(ps_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0)
        return PS_EINTERNAL;
    if ((size_t)need >= SIZE_MAX - sb->len || ps_grow(&sb->data, &sb->cap, sb->len + (size_t)need + 1, 1))
        return PS_EINTERNAL;
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, ap);
    va_end(ap);
    sb->len += (size_t)need;
    return PS_OK;
}

void ps_strbuf_free(ps_strbuf *sb)
{
    free(sb->data);
    memset(sb, 0, sizeof *sb);
}

FILE *ps_open_text_input(const char *path, ps_error *err)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        ps_error_set(err, PS_EINPUT, "%s: is a directory", path);
        return NULL;
    }
    FILE *fp = fopen(path, "r");
    if (!fp)
        ps_error_set(err, PS_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    return fp;
}

long ps_getline_bounded(char **line, size_t *cap, FILE *fp, size_t max_bytes)
{
    size_t len = 0;
    int c;
    while ((c = getc(fp)) != EOF) {
        if (len + 2 > *cap && ps_grow(line, cap, len + 2 > 128 ? len + 2 : 128, 1))
            return -2;
        (*line)[len++] = (char)c;
        if (c == '\n')
            break;
        if (len > max_bytes)
            return -2;
    }
    if (len == 0)
        return -1;
    (*line)[len] = '\0';
    return (long)len;
}
