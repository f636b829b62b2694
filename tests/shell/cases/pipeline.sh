echo banana apple cherry | tr " " "\n" | sort | head -2
echo via builtin | cat | tr a-z A-Z
