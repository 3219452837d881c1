"""One repository per aggregate, each over the sql/ file of the same name. They are reached
as attributes of a Database or Transaction (``shopdb.components`` lists them)."""
