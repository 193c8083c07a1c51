/* The chain rules both wings follow, this process's (core/engine.c, core/locator.c) and another
 * process's (remote/process_buffers.c): what differs between them is passed in. The caller makes sure
 * the locators it passes may be touched (the remote wing checks its view first: chain_view_intact). */
#ifndef BUFFERS_CHAIN_H
#define BUFFERS_CHAIN_H

#include "core/locator.h"

/* The item layout of the chain whose first locator is first: the one its items show, else when_empty
 * (an empty locator tells nothing). BUFFERS_ERROR_LOCATOR, the error set naming the locator as which
 * ("the locator at ...", "the locator of process ..."), when its items mix both layouts. */
buffers_status chain_settle_layout(const locator *first, locator_layout when_empty, const char *which,
                                   locator_layout *out);

#endif
