"""Pure billing domain: no I/O, no HTTP, no global clock or randomness."""
