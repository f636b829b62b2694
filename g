/dev/fd/3: line 84: h: No such file or directory
