"""pydantic models: what goes in (New..., ...Patch) and what comes out, one module per domain."""

from shopdb.models.access import (
    NewPermission,
    NewRole,
    Permission,
    PermissionGrant,
    Role,
    RoleAssignment,
)
from shopdb.models.addresses import (
    Address,
    AddressPatch,
    NewAddress,
)
from shopdb.models.api_keys import (
    ApiKey,
    ApiKeyStatus,
    CreatedApiKey,
    NewApiKey,
)
from shopdb.models.audit import (
    Actor,
    ActorType,
    AuditEntry,
)
from shopdb.models.carts import (
    Cart,
    CartItem,
    CartLine,
    CartStatus,
    CartTotals,
    CartWithItems,
)
from shopdb.models.categories import (
    Category,
    CategoryProduct,
    CategoryRename,
    NewCategory,
)
from shopdb.models.collections import (
    Collection,
    CollectionMembership,
    CollectionProduct,
    CollectionStatus,
    NewCollection,
)
from shopdb.models.coupons import (
    Coupon,
    CouponCheck,
    CouponType,
    NewCoupon,
)
from shopdb.models.media import (
    AttachedMedia,
    Media,
    MediaProvider,
    MediaType,
    NewMedia,
)
from shopdb.models.payments import (
    Authorization,
    NewSavedCard,
    Payment,
    PaymentProvider,
    PaymentStatus,
    Refund,
    SavedCard,
)
from shopdb.models.reviews import (
    NewReview,
    RatingSummary,
    Review,
    ReviewOrder,
    ReviewStatus,
)
from shopdb.models.security_events import (
    NewSecurityEvent,
    SecurityEvent,
)
from shopdb.models.sessions import (
    CreatedSession,
    NewSession,
    Session,
    refresh_token_hash,
)
from shopdb.models.users import (
    Credentials,
    NewUser,
    PasswordChange,
    TwoFactorSetup,
    User,
    UserPatch,
    UserStatus,
)

__all__ = [
    "Actor",
    "ActorType",
    "Address",
    "AddressPatch",
    "ApiKey",
    "ApiKeyStatus",
    "AttachedMedia",
    "AuditEntry",
    "Authorization",
    "Cart",
    "CartItem",
    "CartLine",
    "CartStatus",
    "CartTotals",
    "CartWithItems",
    "Category",
    "CategoryProduct",
    "CategoryRename",
    "Collection",
    "CollectionMembership",
    "CollectionProduct",
    "CollectionStatus",
    "Coupon",
    "CouponCheck",
    "CouponType",
    "CreatedApiKey",
    "CreatedSession",
    "Credentials",
    "Media",
    "MediaProvider",
    "MediaType",
    "NewAddress",
    "NewApiKey",
    "NewCategory",
    "NewCollection",
    "NewCoupon",
    "NewMedia",
    "NewPermission",
    "NewReview",
    "NewRole",
    "NewSavedCard",
    "NewSecurityEvent",
    "NewSession",
    "NewUser",
    "PasswordChange",
    "Payment",
    "PaymentProvider",
    "PaymentStatus",
    "Permission",
    "PermissionGrant",
    "RatingSummary",
    "Refund",
    "Review",
    "ReviewOrder",
    "ReviewStatus",
    "Role",
    "RoleAssignment",
    "SavedCard",
    "SecurityEvent",
    "Session",
    "TwoFactorSetup",
    "User",
    "UserPatch",
    "UserStatus",
    "refresh_token_hash",
]
