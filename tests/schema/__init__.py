"""Schema tests: the live catalog, the constraints, the migrations and their lint."""
