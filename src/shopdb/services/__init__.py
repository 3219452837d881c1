"""Flows across aggregates: each service composes the repositories' public methods inside one
unit of work and holds the business steps; the repositories hold one aggregate's SQL each."""
