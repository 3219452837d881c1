"""Example applications over shopdb (not part of the library: the wheel ships none of it)."""
