parsim nccl --help | sed '/^ *ring, nvls/d' # the --algo list line comes from sim/coll's algorithm table and grows with it; bad-algo checks the parse
