parsim calibrate --help --ops
