/* Planted breach for the layering check's own test: the core reaching up into the API. */
#include "api/top.h"
#include "pure/ok.h"
