/* A lower layer: including it is fine. */
