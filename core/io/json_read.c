/* Checks shared by the JSON readers (parsim/json_read.h). */
#include <string.h>

#include "parsim/json_read.h"

const cJSON *ps_json_first_duplicate_key(const cJSON *node)
{
    for (const cJSON *item = node ? node->child : NULL; item; item = item->next) {
        if (cJSON_IsObject(node) && item->string)
            for (const cJSON *later = item->next; later; later = later->next)
                if (later->string && !strcmp(item->string, later->string))
                    return later;
        const cJSON *inner = ps_json_first_duplicate_key(item);
        if (inner)
            return inner;
    }
    return NULL;
}
