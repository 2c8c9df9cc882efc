# The include graph and the rules of layers.conf (see check_layering.sh).
function dirname(p,   i) { i = match(p, /\/[^\/]*$/); return i ? substr(p, 1, i - 1) : "." }
function normalize(p,   n, parts, out, k, m) {
    n = split(p, parts, "/"); m = 0
    for (k = 1; k <= n; k++) {
        if (parts[k] == "." || parts[k] == "") continue
        if (parts[k] == ".." && m > 0) { m--; continue }
        out[++m] = parts[k]
    }
    p = ""; for (k = 1; k <= m; k++) p = p (k > 1 ? "/" : "") out[k]
    return p
}
function resolve(from, name,   c, k, bases) {
    c = normalize(dirname(from) "/" name); if (c in exists) return c
    split("include sim core runtime", bases, " ")
    for (k = 1; k <= 4; k++) { c = normalize(bases[k] "/" name); if (c in exists) return c }
    return ""
}
function sim_level(path,   base) {
    if (path ~ /^sim\//) return 1
    if (path ~ /^include\/parsim\//) { base = path; sub(/.*\//, "", base); return base in simheader }
    return 0
}
# The rule folder of a file: the longest configured prefix.
function folder_of(path,   f, best, base) {
    best = ""
    if (path ~ /^include\/parsim\/[^\/]*$/) {
        base = path; sub(/.*\//, "", base)
        if (!(base in simheader) && ("include/parsim@core" in rules)) return "include/parsim@core"
        return ""
    }
    for (f in rules) if (f !~ /@/ && index(path, f "/") == 1 && length(f) > length(best)) best = f
    return best
}
function gpu_header(name) {
    return name ~ /^(cuda|cupti|nccl|cublas|curand|cufft|nvToolsExt|nvtx3?\/|nvml)/ || name ~ /\.cuh$/
}
BEGIN {
    while ((getline line < conf) > 0) {
        sub(/#.*/, "", line); n = split(line, w, /[ \t]+/)
        if (w[1] == "") { for (k = 2; k <= n; k++) w[k - 1] = w[k]; n-- }
        if (n < 1) continue
        if (w[1] == "sim-headers") { for (k = 2; k <= n; k++) simheader[w[k]] = 1; continue }
        rules[w[1]] = ""
        for (k = 2; k <= n; k++) rules[w[1]] = rules[w[1]] " " w[k]
    }
    nf = split(filelist, all, " ")
    for (k = 1; k <= nf; k++) exists[all[k]] = 1
}
/^[ \t]*#[ \t]*include[ \t]*[<"]/ {
    s = $0; sub(/^[ \t]*#[ \t]*include[ \t]*/, "", s)
    q = substr(s, 1, 1); s = substr(s, 2); if (q == "<") sub(/>.*/, "", s); else sub(/".*/, "", s)
    if (q == "\"" && (r = resolve(FILENAME, s)) != "") edge[FILENAME, ++nedge[FILENAME]] = r
    else sys[FILENAME, ++nsys[FILENAME]] = s
}
END {
    bad = 0
    for (k = 1; k <= nf; k++) {
        file = all[k]; f = folder_of(file)
        if (f == "") continue
        want = rules[f]
        # breadth-first over project headers, remembering how each was reached
        delete seen; delete via; head = 1; tail = 0
        queue[++tail] = file; seen[file] = 1; via[file] = file
        while (head <= tail) {
            cur = queue[head++]
            for (j = 1; j <= nsys[cur]; j++) {
                name = sys[cur, j]; rule = ""
                if ((want " ") ~ / no-simgrid / && name ~ /^(simgrid|xbt)(\/|\.h)/) rule = "no-simgrid"
                if ((want " ") ~ / no-gpu / && gpu_header(name)) rule = "no-gpu"
                if (rule != "") { printf "%s: %s: includes <%s> (%s)\n", file, rule, name, via[cur]; bad++ }
            }
            for (j = 1; j <= nedge[cur]; j++) {
                nxt = edge[cur, j]
                if (nxt in seen) continue
                seen[nxt] = 1; via[nxt] = via[cur] " -> " nxt; queue[++tail] = nxt
                if ((want " ") ~ / no-sim / && sim_level(nxt) && !(file ~ /^include\/parsim\// && sim_level(file))) {
                    printf "%s: no-sim: includes %s (%s)\n", file, nxt, via[nxt]; bad++
                }
                if ((want " ") ~ / no-gpu / && gpu_header(nxt)) { printf "%s: no-gpu: includes %s (%s)\n", file, nxt, via[nxt]; bad++ }
            }
        }
    }
    if (bad) { printf "layering: %d violation(s) of %s\n", bad, conf; exit 1 }
    printf "layering: %d files checked against %s, no violation\n", nf, conf
}
