"""The toolkit: query loading, timing, errors, retries, paging; no domain knowledge."""
