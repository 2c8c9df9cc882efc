cd "$PARSIM_TMP" && : > empty.sqlite && parsim import nsys empty.sqlite -o t
