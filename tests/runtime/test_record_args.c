/* parsim-record's command line: workload options through core's parser, the recorder's own
 * options, and one message naming the flag for every bad input. */
#include "record.h"
#include "rt_test.h"

static int parse(const char *line, ps_rec_options *o, ps_error *err)
{
    char *argv[64];
    int argc = rt_argv(line, "", argv);
    memset(err, 0, sizeof *err);
    return ps_rec_parse_args(argc, argv, o, err);
}

static void refused(const char *line, const char *message)
{
    ps_rec_options o;
    ps_error err;
    int rc = parse(line, &o, &err);
    CHECK(rc == PS_EINPUT);
    CHECK_STR(err.message, message);
}

int main(void)
{
    ps_rec_options o;
    ps_error err;
    CHECK(parse("--model llama3.1-8b --tp 2 --batch 8 --isl 1024 -o out", &o, &err) == PS_OK);
    CHECK(o.workload.plan.tp == 2 && o.workload.scenario.batch == 8 && o.workload.scenario.isl == 1024);
    CHECK(o.phase == PS_PHASE_DECODE && o.launch == PS_REC_GRAPH); /* decode defaults to graph replay */
    CHECK(o.warmup == PS_REC_DEFAULT_WARMUP && o.iters == PS_REC_DEFAULT_ITERS && o.emulate_rank == -1);
    CHECK_STR(o.out_dir, "out");
    CHECK(parse("--model llama3.1-70b --tp 8 --batch 1 --isl 2048 --phase prefill --emulate-rank 3 --layers 2 "
                "--dtype fp8 --kv-dtype fp8 --iters 2 --warmup=0 --seed 7 --dry-run", &o, &err) == PS_OK);
    CHECK(o.launch == PS_REC_EAGER && o.phase == PS_PHASE_PREFILL && o.emulate_rank == 3 && o.layers == 2);
    CHECK(o.workload.precision.weights == PS_DTYPE_FP8 && o.workload.precision.kv == PS_DTYPE_FP8);
    CHECK(o.iters == 2 && o.warmup == 0 && o.seed == 7 && o.dry_run);
    CHECK(parse("--help", &o, &err) == PS_OK && o.help);

    refused("--model llama3.1-8b --batch 8 --bogus 3 -o x", "--bogus: unknown option (see parsim-record --help)");
    refused("--model-file cfg.json --batch 8 -o x",
            "--model-file: parsim-record cannot read config.json files (built without cJSON); use --model NAME");
    refused("--model llama3.1-8b --platform hgx-h100 --batch 8 -o x",
            "--platform: parsim-record has no platform support (built without SimGrid); use --gpu and --gpus");
    refused("--model llama3.1-8b -o x",
            "--batch: parsim-record needs a number of sequences (max is for parsim plan)");
    refused("--model llama3.1-8b --tp 8 --batch 8 --emulate-rank 8 -o x",
            "--emulate-rank: 8 is outside the plan (tp 8 x pp 1 x dp 1 = 8 ranks)");
    refused("--model llama3.1-8b --dp 2 --batch 8 -o x",
            "--dp: parsim-record runs one replica (dp 1); record a rank of a larger plan with --emulate-rank");
    refused("--model llama3.1-8b --batch 8 --layers 33 -o x", "--layers: 33 is more than the 32 layers of a stage");
    refused("--model llama3.1-8b --pp 2 --batch 8 --layers 2 -o x",
            "--layers: with --pp > 1 give --emulate-rank too (a trace names one layer range)");
    refused("--model llama3.1-8b --batch 8", "-o/--out: give the trace directory to write (or --dry-run)");
    refused("--model llama3.1-8b --batch 8 --iters 3 --iters 4 -o x", "--iters given twice (give each option once)");
    refused("--model llama3.1-8b --tp 2 --tp 4 --batch 8 -o x", "--tp given twice (give each option once)");
    refused("--model llama3.1-8b --batch 8 --launch cudagraph -o x", "--launch: 'cudagraph' is not graph or eager");
    refused("--model llama3.1-8b --batch 8 --phase generate -o x", "--phase: 'generate' is not prefill or decode");
    refused("--model llama3.1-8b --batch 8 --dry-run=yes", "--dry-run=yes: takes no value (see parsim-record --help)");
    refused("--model llama3.1-8b --batch 8 trace-dir",
            "'trace-dir': unexpected argument (see parsim-record --help)");
    refused("--model llama3.1-8b --batch 8 -o", "-o: needs a value (see parsim-record --help)");
    refused("--model llama3.1-8b --tp 3 --batch 8 -o x",
            "--tp 3 must divide the 32 attention heads of llama3.1-8b");
    /* The shared parser's rules (parsim/options.h) hold for the recorder as for parsim's commands. */
    refused("--model llama3.1-8b --batch 8 --iters 0 -o x", "--iters: 0 is out of range [1, 100000]");
    refused("--model llama3.1-8b --batch 8 --warmup 3x -o x", "--warmup: expected an integer, got '3x'");
    refused("--model llama3.1-8b --batch 8 --seed -1 -o x", "--seed: expected a non-negative integer, got '-1'");
    refused("--model llama3.1-8b --batch 8 -o x --out y", "-o/--out given twice (give each option once)");
    CHECK(parse("--model=llama3.1-8b --batch 8 --iter 2 -ox", &o, &err) == PS_OK); /* prefix, =, -oDIR */
    CHECK(o.iters == 2);
    CHECK_STR(o.out_dir, "x");
    return rt_result("test_record_args");
}
