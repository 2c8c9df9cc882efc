/* CPU reference of sampling.cu: greedy (argmax) sampling over the gathered logits. */
#include "kernels_ref.h"
#include "numeric.h"

void ps_ref_argmax(const uint16_t *logits, int32_t *ids, int64_t seqs, int64_t vocab_per_rank, int tp,
                   int64_t vocab)
{
    for (int64_t s = 0; s < seqs; s++) {
        float best = 0.0f;
        int64_t best_id = -1;
        for (int r = 0; r < tp; r++)
            for (int64_t v = 0; v < vocab_per_rank; v++) {
                int64_t id = (int64_t)r * vocab_per_rank + v;
                float x = ps_bf16_to_f32(logits[((int64_t)r * seqs + s) * vocab_per_rank + v]);
                if (id < vocab && (best_id < 0 || x > best))
                    best = x, best_id = id;
            }
        ids[s] = (int32_t)best_id;
    }
}
