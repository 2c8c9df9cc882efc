parsim calibrate --help | sed '/^ *auto, ring/d' # the --curve ALGO list comes from sim/coll's algorithm table and grows with it
