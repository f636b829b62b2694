#!/usr/bin/env bash
# The benchmark's mixed shell workload, written into DIR: DIR/src/f1.c .. f8.c and
# DIR/workload.sh, which compiles them, runs find, tar and grep over /usr/include and
# ls -laR /usr/share/doc (run it with dash). Used by bench_run.sh and by the learn test
# (tests/run/learn_workload_test.sh), so both run the same workload.
# Usage: mixed_workload.sh DIR
set -eu
dir=$1
mkdir -p "$dir/src"
for i in $(seq 8); do
  printf '#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\nint f%d(int x){char b[64];snprintf(b,sizeof b,"%%d",x);return (int)strlen(b)+atoi(b);}\n' "$i" >"$dir/src/f$i.c"
done
cat >"$dir/workload.sh" <<SH
set -e
cd $dir
for f in src/*.c; do cc -O1 -c "\$f" -o "\${f%.c}.o"; done
find /usr/include -name '*.h' | wc -l >/dev/null
tar cf - /usr/include 2>/dev/null | wc -c >/dev/null
grep -r --include='*.h' -l 'define' /usr/include | wc -l >/dev/null
ls -laR /usr/share/doc >/dev/null 2>&1
SH
