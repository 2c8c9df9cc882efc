parsim-record --help | grep -c -e "--emulate-rank R" -e "--layers K" -e "--model NAME" -e "--launch graph|eager"
