// SPDX-License-Identifier: GPL-2.0-only
/* timeit CMD [ARGS...]: run CMD, print its wall time in seconds on stderr's
 * last line as "timeit <seconds>", exit with CMD's status. */
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	int st;
	pid_t p;

	if (argc < 2)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &a);
	p = fork();
	if (p == 0) {
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (p < 0 || waitpid(p, &st, 0) < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	fprintf(stderr, "timeit %.6f\n", (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
