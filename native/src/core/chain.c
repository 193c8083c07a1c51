#include "core/chain.h"

#include "core/errors.h"
#include "os/vmem.h"

buffers_status chain_settle_layout(const locator *first, locator_layout when_empty, const char *which,
                                   locator_layout *out) {
    switch (locator_detect_layout(first, (uint32_t)vmem_page_size())) {
    case LOCATOR_DETECTED_EMPTY: *out = when_empty; break;
    case LOCATOR_DETECTED_DOCUMENT: *out = LOCATOR_LAYOUT_DOCUMENT; break;
    case LOCATOR_DETECTED_RUST: *out = LOCATOR_LAYOUT_RUST; break;
    case LOCATOR_DETECTED_MIXED:
        return errors_set(BUFFERS_ERROR_LOCATOR, "%s holds items in neither the document's nor Rust's layout; not "
                          "writing into it", which);
    }
    return BUFFERS_OK;
}
