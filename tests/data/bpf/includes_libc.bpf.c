/* stdio.h is on the build machine's disk (/usr/include/stdio.h) but is not
 * embedded: compiling this must fail, proving the compiler reads no disk. */
#include <stdio.h>

int unused;
