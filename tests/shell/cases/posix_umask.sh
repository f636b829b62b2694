# The shell's umask reaches the commands it starts, also from a subshell and a pipeline
# stage, and a subshell's umask is its own (XCU 2.12). find -perm prints the name only
# when the mode is exactly that.
find . -maxdepth 1 -name 'umask-case.*' -delete
umask 077; touch umask-case.a; find umask-case.a -perm 600
umask 022; touch umask-case.b; find umask-case.b -perm 644
(umask 027; touch umask-case.c); find umask-case.c -perm 640
touch umask-case.d; find umask-case.d -perm 644
(umask 077; touch umask-case.e) | cat; find umask-case.e -perm 600
umask u=rw,g=r,o=; touch umask-case.f; find umask-case.f -perm 640
umask
find . -maxdepth 1 -name 'umask-case.*' -delete
