/* clock: the wall clock the kiosk believes in.
 *
 * EDUKIOSK_NOW=<unix seconds> pins it (golden images, tests); otherwise
 * vclock_wall(): time(NULL), or simulated time under EDUKIOSK_SIM_TIME.
 * clock_trusted() says whether dated content may rely on it. */
#ifndef EDUKIOSK_CLOCK_H
#define EDUKIOSK_CLOCK_H

#include <stdbool.h>
#include <time.h>

time_t clock_now(void);
/* True when pinned or simulated, or when the system clock is
 * NTP-synchronised. */
bool clock_trusted(void);

#endif
