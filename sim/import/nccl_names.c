/* sim/import/nccl_names.c: NCCL kernels, collectives and data types by name, for the importers.
 *
 * Kernel names (../shared/notes/recording.md section 3.2, read from libnccl.so.2 2.28.9 with nm
 * and NCCL's src/device/generate.py):
 *   ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)   NCCL >= 2.19
 *   ncclSymkDevKernel_AllReduce_RSxLD_AGxST_sum_bf16(...)                          symmetric memory
 *   ncclKernel_AllReduce_RING_LL_Sum_float(ncclDevComm*, ...)                      NCCL <= 2.18
 *   ncclDevKernel_SendRecv(...), ncclDevKernel_Generic(...)                        p2p / fallback
 * The name gives the collective family and the element type only (the suffix is not the
 * algorithm), and signed integers appear as unsigned ("i32" kernels are named u32).
 */
#include "import/import_internal.h"
#include "parsim/dtype.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Every spelling an importer meets (NCCL enum names, PyTorch ScalarType and torch names, CUDA
 * types, nccl-tests names) is an alias in the one dtype table (parsim/dtype.h), matched
 * case-insensitively; "torch.bfloat16" is "bfloat16". Returns the trace name (comms.csv). */
const char *imp_dtype(const char *name, int *size)
{
    if (!name)
        return NULL;
    if (!strncmp(name, "torch.", 6))
        name += 6;
    ps_dtype d;
    if (!ps_dtype_from_alias(name, &d))
        return NULL;
    if (size)
        *size = ps_dtype_bytes(d);
    return ps_dtype_trace_name(d);
}

/* Lower-case, without '_' and a leading "nccl"/"c10d::": "_allgather_base" -> "allgatherbase". */
static void squash(const char *name, char *out, size_t cap)
{
    size_t n = 0;
    if (!strncmp(name, "c10d::", 6))
        name += 6;
    if (!strncmp(name, "nccl", 4))
        name += 4;
    for (; *name && n + 1 < cap; name++)
        if (*name != '_')
            out[n++] = (char)tolower((unsigned char)*name);
    out[n] = '\0';
}

bool imp_collective_from_name(const char *name, ps_trace_collective *coll)
{
    char s[64];
    if (!name)
        return false;
    squash(name, s, sizeof s);
    static const struct {
        const char *prefix;
        ps_trace_collective coll;
        bool exact;
    } table[] = {
        {"allreduce", PS_TRACE_ALLREDUCE, false},   /* allreduce, allreduce_coalesced */
        {"barrier", PS_TRACE_ALLREDUCE, true},      /* ProcessGroupNCCL::barrier is a 1-element allreduce */
        {"allgather", PS_TRACE_ALLGATHER, false},   /* _allgather_base, allgather_into_tensor_coalesced */
        {"reducescatter", PS_TRACE_REDUCESCATTER, false},
        {"alltoall", PS_TRACE_ALLTOALL, false},     /* all_to_all, all_to_allv, alltoall_base */
        {"broadcast", PS_TRACE_BROADCAST, false},
        {"bcast", PS_TRACE_BROADCAST, true},
        {"reduce", PS_TRACE_REDUCE, true},
        {"send", PS_TRACE_SEND, true},
        {"recv", PS_TRACE_RECV, true},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        size_t n = strlen(table[i].prefix);
        if (table[i].exact ? !strcmp(s, table[i].prefix) : !strncmp(s, table[i].prefix, n)) {
            *coll = table[i].coll;
            return true;
        }
    }
    return false;
}

bool imp_nccl_kernel(const char *name, ps_trace_collective *coll, bool *coll_known, const char **dtype)
{
    static const char *const prefixes[] = {"ncclDevKernel_", "ncclSymkDevKernel_", "ncclKernel_"};
    if (!name)
        return false;
    if (!strncmp(name, "void ", 5))
        name += 5;
    const char *rest = NULL;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0] && !rest; i++)
        if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
            rest = name + strlen(prefixes[i]);
    if (!rest)
        return false;
    /* Tokens separated by '_' up to the argument list. */
    char buf[256];
    size_t n = strcspn(rest, "(<");
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, rest, n);
    buf[n] = '\0';
    *coll_known = false;
    *dtype = NULL;
    char *save = NULL;
    char *first = strtok_r(buf, "_", &save);
    if (first && strcmp(first, "SendRecv") && strcmp(first, "Generic"))
        *coll_known = imp_collective_from_name(first, coll);
    /* The type is the token after the reduction op (Sum/Prod/MinMax/...), or in old names the
     * last token; take the first token that is a known NCCL type name. */
    for (char *tok = strtok_r(NULL, "_", &save); tok; tok = strtok_r(NULL, "_", &save)) {
        const char *d = imp_dtype(tok, NULL);
        /* "float" would also match the old names' type; "half"... likewise: all are types. */
        if (d && strcasecmp(tok, "char") && strcasecmp(tok, "int") && strcasecmp(tok, "long") &&
            strcasecmp(tok, "byte") && strcasecmp(tok, "bool")) {
            *dtype = d;
            break;
        }
    }
    return true;
}

void imp_sanitize_id(char *id)
{
    size_t n = 0;
    for (char *p = id; *p; p++, n++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '.' || c == ':' || c == '/' || c == '#' || c == '-';
        if (!ok)
            *p = '_';
        if (n == PS_TRACE_MAX_ID_BYTES) {
            *p = '\0';
            break;
        }
    }
    if (!id[0])
        strcpy(id, "_");
}
