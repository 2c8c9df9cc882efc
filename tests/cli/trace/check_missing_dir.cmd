parsim trace check tests/trace/corpus/base && parsim trace check tests/trace/corpus/nonexistent
