for p in $(parsim platform --list | awk '{print $1}'); do parsim platform --describe platforms/$p.xml --json; done
