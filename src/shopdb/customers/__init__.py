"""The customer's view: ``db.customer(user_id)`` (and ``tx.customer(user_id)``) reaches only
that customer's rows. Each attribute has the method names of the repository of the same
name, without the user id; every statement behind it binds the rows to the owner, so another
customer's row is NotFoundError, exactly as if it did not exist, and nothing of it is written.
The unscoped repositories (``db.orders``, ...) stay for staff and back-office code.

The view lives in shopdb.customers.view (generated from view_async.py, the AsyncDatabase's)."""

from shopdb.customers.base import CustomerRepository
from shopdb.customers.view import CUSTOMER_REPOSITORIES, CustomerView

__all__ = ["CUSTOMER_REPOSITORIES", "CustomerRepository", "CustomerView"]
