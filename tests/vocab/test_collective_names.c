/* Collective names: graph.h ("allreduce" op kinds), trace.h ("allreduce" trace collectives) and
 * coll.h ("all_reduce" model ops) convert through one table each, and the conversions agree:
 * kind -> trace -> model equals kind -> model, and the spellings of each side are its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "parsim/coll.h"
#include "parsim/graph.h"
#include "parsim/trace.h"

static void test_op_kind_trace(void **state)
{
    (void)state;
    int comm = 0;
    for (int k = 0; k < PS_OP_KIND_COUNT; k++) {
        ps_trace_collective coll;
        ps_op_kind back;
        bool is_comm = ps_op_kind_to_trace_collective((ps_op_kind)k, &coll);
        assert_int_equal(is_comm, ps_op_kind_is_comm((ps_op_kind)k));
        if (!is_comm)
            continue;
        comm++;
        /* the graph and the trace spell these four the same */
        assert_string_equal(ps_op_kind_name((ps_op_kind)k), ps_trace_collective_name(coll));
        assert_true(ps_op_kind_from_trace_collective(coll, &back));
        assert_int_equal(back, k);
    }
    assert_int_equal(comm, 4); /* allreduce, allgather, send, recv */
    ps_op_kind kind;
    assert_false(ps_op_kind_from_trace_collective(PS_TRACE_REDUCESCATTER, &kind));
    assert_false(ps_op_kind_from_trace_collective(PS_TRACE_REDUCE, &kind));
}

static void test_model_ops(void **state)
{
    (void)state;
    static const struct {
        ps_trace_collective trace;
        const char *model_name; /* "" = the model has none */
    } want[] = {
        {PS_TRACE_ALLREDUCE, "all_reduce"}, {PS_TRACE_ALLGATHER, "all_gather"},
        {PS_TRACE_REDUCESCATTER, "reduce_scatter"}, {PS_TRACE_BROADCAST, "broadcast"},
        {PS_TRACE_REDUCE, ""}, {PS_TRACE_ALLTOALL, "alltoall"}, {PS_TRACE_SEND, "send"}, {PS_TRACE_RECV, "send"},
    };
    assert_int_equal(sizeof want / sizeof want[0], PS_TRACE_COLLECTIVE_COUNT);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ps_coll_op op;
        bool known = ps_coll_op_from_trace_collective(want[i].trace, &op);
        assert_int_equal(known, want[i].model_name[0] != '\0');
        if (known)
            assert_string_equal(ps_coll_op_name(op), want[i].model_name);
    }
    for (int op = 0; op < PS_COLL_OP_COUNT; op++) {
        ps_trace_collective coll;
        ps_coll_op back;
        if (!ps_coll_op_to_trace_collective((ps_coll_op)op, &coll)) {
            assert_int_equal(op, PS_COLL_SENDRECV); /* the nccl-tests ring pattern is no trace call */
            continue;
        }
        assert_true(ps_coll_op_from_trace_collective(coll, &back));
        assert_int_equal(back, op);
    }
    for (int k = 0; k < PS_OP_KIND_COUNT; k++) {
        ps_coll_op direct, via;
        ps_trace_collective coll;
        bool has = ps_coll_op_from_op_kind((ps_op_kind)k, &direct);
        assert_int_equal(has, ps_op_kind_is_comm((ps_op_kind)k));
        if (has) {
            assert_true(ps_op_kind_to_trace_collective((ps_op_kind)k, &coll));
            assert_true(ps_coll_op_from_trace_collective(coll, &via));
            assert_int_equal(direct, via);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_op_kind_trace),
        cmocka_unit_test(test_model_ops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
