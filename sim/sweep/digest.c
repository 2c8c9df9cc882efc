/* The digest a sweep writes into its shards: FNV-1a 64 over the canonical arguments and the bytes
 * of every platform file, so that shards of different sweeps (or of the same arguments on edited
 * platform files) are refused by --merge. Not cryptographic: it guards against mistakes. */
#include <stdio.h>

#include "parsim/sweep.h"

uint64_t ps_sweep_digest_bytes(uint64_t hash, const void *data, size_t size)
{
    const unsigned char *b = data;
    for (size_t i = 0; i < size; i++) {
        hash ^= b[i];
        hash *= 1099511628211ULL; /* FNV 64-bit prime (Fowler, Noll, Vo; IETF draft-eastlake-fnv) */
    }
    return hash;
}

int ps_sweep_digest_file(uint64_t *hash, const char *path, ps_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return ps_error_set(err, PS_EINPUT, "%s: cannot read", path);
    unsigned char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, fp)) > 0)
        *hash = ps_sweep_digest_bytes(*hash, buf, got);
    int bad = ferror(fp);
    fclose(fp);
    if (bad)
        return ps_error_set(err, PS_EINPUT, "%s: read error", path);
    return PS_OK;
}
