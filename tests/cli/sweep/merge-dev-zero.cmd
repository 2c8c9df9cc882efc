parsim sweep --merge /dev/zero
