"""The shop's routes, one module per part of a visit."""
