/* audit_flood N PATH: open PATH N times, as fast as it can (inside a Landlock domain that
 * denies it: N denials for stsh-audit). Prints how many opens failed with EACCES. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: audit_flood N PATH\n");
    return 2;
  }
  const long n = strtol(argv[1], NULL, 10);
  long denied = 0;
  for (long i = 0; i < n; ++i) {
    const int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      close(fd);
    } else if (errno == EACCES) {
      ++denied;
    }
  }
  printf("denied %ld\n", denied);
  return denied == n ? 0 : 1;
}
