/* confpath: what a configured path must be on this machine, checked when
 * the configuration is loaded (so --print-config can vet a file before it
 * is rolled out): absolute (a service does not run where its file was
 * written), and for a file the kiosk reads, an existing readable regular
 * file of the right kind.  Looks at the file system; thread-safe. */
#ifndef EDUKIOSK_CONFPATH_H
#define EDUKIOSK_CONFPATH_H

#include <stddef.h>

/* A directory the kiosk creates if needed: absolute, and a directory if it
 * exists.  0, or -1 with the problem in err ("must be …", "… is a FIFO"). */
int confpath_dir(const char *path, char *err, size_t errlen);
/* A file the kiosk replaces now and then: absolute, not a directory, and
 * its parent a directory if that exists.  0, or -1 with err. */
int confpath_output(const char *path, char *err, size_t errlen);
/* A file of CA certificates: absolute, a readable regular file holding at
 * least one PEM certificate.  0, or -1 with err. */
int confpath_pem(const char *path, char *err, size_t errlen);

#endif
