"""Query budgets as data (issue 19, point 5): a hot query carries its budget on a
``-- budget:`` line under its one-line comment in sql/*.sql (docs/budgets.md):

    -- name: find_by_email(email)^
    -- The active user with this email, in any letter case; None if there is none.
    -- budget: 2 ms at 10M users; index users_email_lower_key; rows 1

the time it may take at a named data set size, the index(es) its plan must use, and how many
rows its plan may read. `shopdb budgets` asserts the plans on a generated data set
(shopdb.budgets.plans, shopdb.budgets.dataset); `make bench` times them at full size
(benchmarks/test_scale.py); `shopdb check` reports a read of a hot table without a budget
(shopdb.budgets.rules)."""

from shopdb.budgets.model import DATASETS, HOT_TABLES, Budget, BudgetError, parse_budget

__all__ = ["DATASETS", "HOT_TABLES", "Budget", "BudgetError", "parse_budget"]
