cd "$PARSIM_TMP" && echo "not a database, only text" > r.sqlite && parsim import nsys r.sqlite -o t
