"""pydantic models: what goes in (New..., ...Patch) and what comes out, one module per domain."""

from shopdb.models.users import Credentials, NewUser, User, UserPatch, UserStatus

__all__ = ["Credentials", "NewUser", "User", "UserPatch", "UserStatus"]
