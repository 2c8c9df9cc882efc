parsim import perfetto trace.pftrace -o t
