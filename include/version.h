/* The project version, shared by tinyinit and mkrootfs. */
#ifndef TINYINIT_VERSION_H
#define TINYINIT_VERSION_H

#define PROJECT_VERSION "0.1.0"

#endif
