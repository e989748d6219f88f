/* A progress line on a terminal when the work takes more than a moment. */
#ifndef MKROOTFS_PROGRESS_H
#define MKROOTFS_PROGRESS_H
#include <stdint.h>

void progress_start(const char *what, uint64_t total);
void progress_add(uint64_t bytes);
void progress_end(void);

#endif
