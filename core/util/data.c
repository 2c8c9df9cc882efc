/* Data file lookup: PARSIM_DATA_DIR, then the source tree, then the install prefix (see
 * parsim/data.h). */
#include "parsim/data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PARSIM_SOURCE_ROOT_DIR
#define PARSIM_SOURCE_ROOT_DIR ""
#endif
#ifndef PARSIM_INSTALL_DATA_DIR
#define PARSIM_INSTALL_DATA_DIR ""
#endif

/* folder: under $PARSIM_DATA_DIR and <prefix>/share/parsim; source_folder: in the source tree. */
typedef struct data_kind {
    const char *folder;
    const char *source_folder;
    const char *ext;
    const char *what; /* in messages */
} data_kind;

static const data_kind data_kinds[PS_DATA_KIND_COUNT] = {
    [PS_DATA_PLATFORM] = {"platforms", "platforms", ".xml", "platform preset"},
    [PS_DATA_NCCL_CALIBRATION] = {"platforms", "platforms", ".nccl.json", "NCCL calibration"},
    [PS_DATA_COST_MODEL] = {"cost", "data/cost", ".cost", "cost model"},
};

#define DATA_DIR_COUNT 3

/* An installed parsim (<prefix>/bin/parsim beside <prefix>/share/parsim) reads its own install
 * tree in place of the source tree it was built from, wherever the prefix is now (cmake --install
 * --prefix DIR, make install PREFIX=DIR, a moved tree): the binary's path from /proc/self/exe. A
 * binary in a build tree has no ../share/parsim and keeps the source tree. */
static bool installed_root(char *out, size_t size)
{
    char exe[PS_DATA_PATH_BYTES];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    for (int up = 0; up < 2; up++) { /* drop "/parsim", then "/bin" */
        char *slash = strrchr(exe, '/');
        if (!slash)
            return false;
        *slash = '\0';
    }
    struct stat st;
    return (size_t)snprintf(out, size, "%s/share/parsim", exe) < size && stat(out, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The root of source `index`; *source_layout tells whether it is laid out like the source tree. */
static const char *data_root(int index, char *buf, size_t size, bool *source_layout)
{
    *source_layout = false;
    switch (index) {
    case 0: {
        const char *env = getenv("PARSIM_DATA_DIR");
        return env ? env : "";
    }
    case 1:
        if (installed_root(buf, size))
            return buf;
        *source_layout = true;
        return PARSIM_SOURCE_ROOT_DIR;
    case 2: return PARSIM_INSTALL_DATA_DIR;
    }
    return NULL;
}

bool ps_data_dir(ps_data_kind kind, int index, char *out, size_t size)
{
    char buf[PS_DATA_PATH_BYTES];
    bool source_layout;
    const char *root = data_root(index, buf, sizeof buf, &source_layout);
    if (!root || kind < 0 || kind >= PS_DATA_KIND_COUNT)
        return false;
    if (root[0])
        snprintf(out, size, "%s/%s", root, source_layout ? data_kinds[kind].source_folder : data_kinds[kind].folder);
    else if (size)
        out[0] = '\0';
    return true;
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool ends_with(const char *text, const char *suffix)
{
    size_t n = strlen(text), k = strlen(suffix);
    return n >= k && !strcmp(text + n - k, suffix);
}

static int copy_out(const char *path, char *out, size_t size, ps_error *err)
{
    if ((size_t)snprintf(out, size, "%s", path) >= size)
        return ps_error_set(err, PS_EINPUT, "%.200s...: path longer than %zu bytes", path, size - 1);
    return PS_OK;
}

int ps_data_find(ps_data_kind kind, const char *name, char *out, size_t size, ps_error *err)
{
    if (kind < 0 || kind >= PS_DATA_KIND_COUNT || !name || !size)
        return ps_error_set(err, PS_EINTERNAL, "ps_data_find: bad arguments");
    const data_kind *k = &data_kinds[kind];
    struct stat st;
    if (name[0] && stat(name, &st) == 0 && S_ISDIR(st.st_mode))
        return ps_error_set(err, PS_EINPUT, "%s: is a directory, not a %s file", name, k->what);
    if (!name[0] || strchr(name, '/') || is_file(name))
        return copy_out(name, out, size, err);
    const char *ext = ends_with(name, k->ext) ? "" : k->ext;
    char dirs[DATA_DIR_COUNT][PS_DATA_PATH_BYTES];
    for (int i = 0; i < DATA_DIR_COUNT; i++) {
        ps_data_dir(kind, i, dirs[i], sizeof dirs[i]);
        if (!dirs[i][0])
            continue;
        char candidate[PS_DATA_PATH_BYTES];
        if ((size_t)snprintf(candidate, sizeof candidate, "%s/%s%s", dirs[i], name, ext) < sizeof candidate &&
            is_file(candidate))
            return copy_out(candidate, out, size, err);
    }
    /* "x.xml" found nowhere is a file name the user mistyped: the reader says "No such file". */
    if (!ext[0])
        return copy_out(name, out, size, err);
    return ps_error_set(err, PS_EINPUT, "%s: no such file, and no %s %s%s in %s%s%s%s%s", name, k->what, name, ext,
                        dirs[0][0] ? dirs[0] : "$PARSIM_DATA_DIR (unset)", dirs[1][0] ? ", " : "", dirs[1],
                        dirs[2][0] ? " or " : "", dirs[2]);
}
