# Helpers of the benchmark scripts (scripts/bench.sh, scripts/bench-java.sh).

# "min / median / max" of the numbers on stdin.
spread() { sort -g | awk '{v[NR] = $1} END {printf "%.2f / %.2f / %.2f", v[1], v[int((NR + 1) / 2)], v[NR]}'; }
