/* The top layer; including it from below is the breach. */
