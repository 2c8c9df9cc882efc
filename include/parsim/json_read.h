/* parsim/json_read.h: what every reader of JSON input (HF config.json, calibration sidecars)
 * checks beyond cJSON's own parse. Needs cJSON: only files listed in core/sources.cmake's
 * CORE_READER_SOURCES, and sim/, may include it.
 */
#ifndef PARSIM_JSON_READ_H
#define PARSIM_JSON_READ_H

#include <cjson/cJSON.h>

/* The first key that repeats an earlier key of the same object, at any depth, or NULL. JSON
 * allows a key twice and cJSON keeps both while cJSON_GetObjectItem answers the first, so a file
 * that says "hidden_size" (or "launch_us") twice would be read with one value chosen silently:
 * readers refuse it, naming the key. Quadratic per object: these files have tens of keys. */
const cJSON *ps_json_first_duplicate_key(const cJSON *node);

#endif
