/* CPU reference of embedding.cu: vocab-parallel lookup (vLLM VocabParallelEmbedding). */
#include <string.h>

#include "kernels_ref.h"

void ps_ref_embedding(const int32_t *ids, const uint16_t *table, uint16_t *out, int64_t tokens, int64_t hidden,
                      int64_t vocab_first, int64_t vocab_rows)
{
    for (int64_t t = 0; t < tokens; t++) {
        int64_t row = (int64_t)ids[t] - vocab_first;
        if (row >= 0 && row < vocab_rows)
            memcpy(out + t * hidden, table + row * hidden, (size_t)hidden * sizeof *out);
        else
            memset(out + t * hidden, 0, (size_t)hidden * sizeof *out);
    }
}
