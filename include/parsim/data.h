/* parsim/data.h: where parsim finds its data files (platform presets, NCCL calibration sidecars,
 * next the cost model's coefficients), in one function that every subcommand uses, so that a
 * preset name (`--platform hgx-h200`) works wherever a path does.
 *
 * A name is looked up, first hit wins, in
 *   1. $PARSIM_DATA_DIR/<folder>/   (a directory laid out like the source tree: platforms/, ...)
 *   2. <source tree>/<source folder>/ (PARSIM_SOURCE_ROOT_DIR, set by CMake: runs from a build tree);
 *      for an installed binary (<P>/bin/parsim with a <P>/share/parsim beside it, wherever P is
 *      now) its own <P>/share/parsim/<folder>/ instead
 *   3. <prefix>/share/parsim/<folder>/  (PARSIM_INSTALL_DATA_DIR, set by CMake: installed runs)
 * as <name><ext> (or <name> when it already ends with ext). What is not a name is a path and is
 * returned as given: anything with a '/', and anything that exists as a file from the current
 * directory (so a local file always wins over a preset of the same name). A name that ends
 * with ext and is found nowhere is returned as given too (its reader then says "No such file or
 * directory", as for any path). Libc only.
 */
#ifndef PARSIM_DATA_H
#define PARSIM_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "parsim/error.h"

#define PS_DATA_PATH_BYTES 4096

/* One row per kind in core/util/data.c: adding a kind of data file is adding a row. */
typedef enum ps_data_kind {
    PS_DATA_PLATFORM = 0,     /* platforms/<name>.xml */
    PS_DATA_NCCL_CALIBRATION, /* platforms/<name>.nccl.json */
    PS_DATA_COST_MODEL,       /* cost/<name>.cost (source tree: data/cost/) */
    PS_DATA_KIND_COUNT
} ps_data_kind;

/* Resolves name_or_path (see above) into out. PS_EINPUT when it is a name without ext that no
 * folder holds:
 * "NAME: no such file, and no platform preset NAME.xml in DIR1, DIR2 or DIR3". */
int ps_data_find(ps_data_kind kind, const char *name_or_path, char *out, size_t size, ps_error *err);

/* The i-th folder searched for a kind (0 <= i < 3), "" when that source is not set (no
 * PARSIM_DATA_DIR); false past the end. For --help texts and docs. */
bool ps_data_dir(ps_data_kind kind, int index, char *out, size_t size);

#endif
