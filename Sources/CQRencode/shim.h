// libqrencode, the QR code encoder of the tickets (Debian: libqrencode-dev), found through
// `pkg-config libqrencode`.
#ifndef BOXOFFICE_CQRENCODE_SHIM_H
#define BOXOFFICE_CQRENCODE_SHIM_H

#include <qrencode.h>

#endif
