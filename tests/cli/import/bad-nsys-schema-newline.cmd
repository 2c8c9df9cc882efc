parsim import nsys tests/import/bad/nsys-schema-newline.sqlite -o $PARSIM_TMP/t
